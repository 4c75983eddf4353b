// The strategies of random institutions, shared by the property tests (`include!`d).

fn date_in(from: &str, days: i64) -> impl Strategy<Value = NaiveDate> {
    let start: NaiveDate = from.parse().unwrap();
    (0..days).prop_map(move |d| start + chrono::Duration::days(d))
}

fn kind() -> impl Strategy<Value = Kind> {
    prop::sample::select(Kind::ALL.to_vec())
}

fn line_item() -> impl Strategy<Value = LineItem> {
    (
        prop::sample::select(LineItemCategory::ALL.to_vec()),
        0i64..2_000_000,
        any::<bool>(),
    )
        .prop_map(|(category, amount, tax_included)| LineItem {
            category,
            amount: Yen::new(amount),
            tax_included,
        })
}

fn cost() -> impl Strategy<Value = Cost> {
    prop_oneof![
        (0i64..6_000_000).prop_map(|c| Cost::Total(Yen::new(c))),
        prop::collection::vec(line_item(), 0..8).prop_map(Cost::LineItems),
    ]
}

prop_compose! {
    fn institution()(
        kind in kind(),
        rx in prop::option::of(0u64..100_000),
        readers in 0u32..6,
        reader_applied_on in prop::option::of(date_in("2020-10-01", 900)),
        completed_on in prop::option::of(date_in("2021-01-01", 1000)),
        applied_on in prop::option::of(date_in("2021-01-01", 1100)),
        disposed_on in prop::option::of(date_in("2020-10-01", 3600)),
        contracted_on in prop::option::of(date_in("2021-01-01", 900)),
        operation_started_on in prop::option::of(date_in("2021-06-01", 700)),
        deferral in prop::option::of(1u8..=6),
        cost in cost(),
    ) -> Institution {
        Institution { code: None, kind, group_rx_per_month: rx, readers, reader_applied_on, completed_on, applied_on, disposed_on, contracted_on, operation_started_on, deferral, cost, claimed: None }
    }
}

