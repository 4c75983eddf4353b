// JSON text read as `onshi assess` reads it, for whoever hands the wasm build an institution
// written as JSON: JSON.parse keeps the last of a key given twice, the command line refuses
// the object, and so does this. Numbers are JSON.parse's (the nearest double), as the command
// line's. The page itself builds its objects from its fields and never needs this.
export function parseInstitutionJson(text) {
  const value = JSON.parse(text.replace(/^\uFEFF/, ''));
  const key = firstRepeatedKey(text);
  if (key !== null) throw new SyntaxError(`duplicate field \`${key}\``);
  return value;
}

// The first key given twice in one object of valid JSON text, or null.
function firstRepeatedKey(text) {
  const objects = []; // per open object or array: its keys so far (null for an array)
  let expectKey = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const keys = objects[objects.length - 1];
      if (keys && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1));
        if (keys.has(key)) return key;
        keys.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      objects.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      objects.push(null);
      expectKey = false;
    } else if (c === '}' || c === ']') {
      objects.pop();
      expectKey = false;
    } else if (c === ',') {
      expectKey = objects[objects.length - 1] instanceof Set;
    }
  }
  return null;
}
