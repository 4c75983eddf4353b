//! Reading a struct as a map of named fields, in every serde format alike.
//!
//! serde-wasm-bindgen reads a derived struct by asking the JS object for each known field, so
//! it never sees an unknown one, and serde_json reads an array into a struct by position: the
//! two builds disagreed on the same input. Asking for a map instead makes both formats hand
//! over every key, and wrapping the map names the field in any error about its value.

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess};

/// A map whose value errors start with their key (`readers: invalid type: …`).
pub struct Named<A> {
    inner: A,
    key: String,
}

impl<A> Named<A> {
    pub fn new(inner: A) -> Self {
        Named {
            inner,
            key: String::new(),
        }
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Named<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(key) = self.inner.next_key::<String>()? else {
            return Ok(None);
        };
        let value = seed.deserialize(key.as_str().into_deserializer())?;
        self.key = key;
        Ok(Some(value))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        let key = &self.key;
        self.inner.next_value_seed(seed).map_err(|e| {
            // serde-wasm-bindgen's errors display as JS `toString()` does, "Error: …".
            let e = e.to_string();
            let e = e.strip_prefix("Error: ").unwrap_or(&e);
            de::Error::custom(format_args!("{key}: {e}"))
        })
    }
}

/// What a list is refused with where a map is expected. The browser checks for an array
/// itself: serde-wasm-bindgen would read any iterable as a map of pairs.
pub fn not_a_map<E: de::Error>(expecting: &'static str) -> E {
    E::invalid_type(de::Unexpected::Seq, &expecting)
}

/// `Deserialize` (through a map) and `Serialize` for a type that derives both with
/// `remote = "Self"`, so that the derived code is the part that reads the fields.
macro_rules! read_as_map {
    ($ty:ty, $expecting:literal) => {
        impl $ty {
            /// What a value of another shape is refused as.
            pub const EXPECTING: &'static str = $expecting;
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        map: A,
                    ) -> Result<$ty, A::Error> {
                        let named = $crate::input::by_name::Named::new(map);
                        <$ty>::deserialize(serde::de::value::MapAccessDeserializer::new(named))
                    }
                }
                d.deserialize_map(V)
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                <$ty>::serialize(self, s)
            }
        }
    };
}
pub(crate) use read_as_map;

impl<A> std::fmt::Debug for Named<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Named")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}
