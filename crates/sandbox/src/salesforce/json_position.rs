//! Finds where a value sits in a request body, for the `[line:L, column:C]` part of
//! `JSON_PARSER_ERROR` messages.
//!
//! The body has already been parsed by `serde_json`, so the scanner may assume valid JSON.
//! Positions are reported as the JSON parser Salesforce uses reports them: the 1-based line
//! and the 1-based column just after the token that failed (after the closing quote of a
//! string, after `[` or `{` of a container).

/// One step of the path from the top of the body to a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathStep<'a> {
    /// A member of an object, by key.
    Key(&'a str),
    /// An element of an array, by index.
    Index(usize),
}

/// Returns the line and column just after the first token of the value at `path`, or `None`
/// when the path does not lead to a value.
pub(crate) fn locate(raw: &str, path: &[PathStep<'_>]) -> Option<(usize, usize)> {
    let bytes = raw.as_bytes();
    let start = find_value(bytes, skip_whitespace(bytes, 0), path)?;
    let end = first_token_end(bytes, start);
    Some(line_and_column(raw, end))
}

fn find_value(bytes: &[u8], position: usize, path: &[PathStep<'_>]) -> Option<usize> {
    let Some((step, rest)) = path.split_first() else {
        return Some(position);
    };
    match (step, bytes.get(position)) {
        (PathStep::Key(key), Some(b'{')) => find_member(bytes, position + 1, key, rest),
        (PathStep::Index(index), Some(b'[')) => find_element(bytes, position + 1, *index, rest),
        _ => None,
    }
}

fn find_member(
    bytes: &[u8],
    mut position: usize,
    key: &str,
    rest: &[PathStep<'_>],
) -> Option<usize> {
    loop {
        position = skip_whitespace(bytes, position);
        if bytes.get(position) != Some(&b'"') {
            return None;
        }
        let key_end = skip_string(bytes, position);
        let member_key = decode_key(&bytes[position..key_end]);
        position = skip_whitespace(bytes, key_end);
        position = skip_whitespace(bytes, position + 1); // the colon
        if member_key.as_deref() == Some(key) {
            return find_value(bytes, position, rest);
        }
        position = skip_whitespace(bytes, skip_value(bytes, position));
        if bytes.get(position) != Some(&b',') {
            return None;
        }
        position += 1;
    }
}

fn find_element(
    bytes: &[u8],
    mut position: usize,
    index: usize,
    rest: &[PathStep<'_>],
) -> Option<usize> {
    for _ in 0..index {
        position = skip_whitespace(bytes, position);
        position = skip_whitespace(bytes, skip_value(bytes, position));
        if bytes.get(position) != Some(&b',') {
            return None;
        }
        position += 1;
    }
    let position = skip_whitespace(bytes, position);
    if bytes.get(position) == Some(&b']') {
        return None;
    }
    find_value(bytes, position, rest)
}

fn decode_key(quoted: &[u8]) -> Option<String> {
    serde_json::from_slice::<String>(quoted).ok()
}

fn skip_whitespace(bytes: &[u8], mut position: usize) -> usize {
    while bytes
        .get(position)
        .is_some_and(|byte| byte.is_ascii_whitespace())
    {
        position += 1;
    }
    position
}

/// Returns the position after the string that starts at `position` (on its opening quote).
fn skip_string(bytes: &[u8], position: usize) -> usize {
    let mut cursor = position + 1;
    while let Some(&byte) = bytes.get(cursor) {
        match byte {
            b'\\' => cursor += 2,
            b'"' => return cursor + 1,
            _ => cursor += 1,
        }
    }
    cursor
}

/// Returns the position after the value that starts at `position`.
fn skip_value(bytes: &[u8], position: usize) -> usize {
    match bytes.get(position) {
        Some(b'"') => skip_string(bytes, position),
        Some(b'{') | Some(b'[') => skip_container(bytes, position),
        _ => skip_scalar(bytes, position),
    }
}

fn skip_container(bytes: &[u8], position: usize) -> usize {
    let mut depth = 0usize;
    let mut cursor = position;
    while let Some(&byte) = bytes.get(cursor) {
        match byte {
            b'"' => {
                cursor = skip_string(bytes, cursor);
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return cursor + 1;
                }
            }
            _ => {}
        }
        cursor += 1;
    }
    cursor
}

fn skip_scalar(bytes: &[u8], mut position: usize) -> usize {
    while bytes
        .get(position)
        .is_some_and(|byte| !matches!(byte, b',' | b'}' | b']') && !byte.is_ascii_whitespace())
    {
        position += 1;
    }
    position
}

fn first_token_end(bytes: &[u8], position: usize) -> usize {
    match bytes.get(position) {
        Some(b'{') | Some(b'[') => position + 1,
        _ => skip_value(bytes, position),
    }
}

fn line_and_column(raw: &str, offset: usize) -> (usize, usize) {
    let before = &raw[..offset.min(raw.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_finds_top_level_member() {
        let raw = r#"{"Name":"Acme","Phone":["555"]}"#;
        assert_eq!(locate(raw, &[PathStep::Key("Phone")]), Some((1, 25)));
        assert_eq!(locate(raw, &[PathStep::Key("Name")]), Some((1, 15)));
    }

    #[test]
    fn locate_finds_member_inside_array_element() {
        let raw = "{\"records\": [\n {\"Name\": \"a\"},\n {\"Name\": 5}\n]}";
        let path = [
            PathStep::Key("records"),
            PathStep::Index(1),
            PathStep::Key("Name"),
        ];
        assert_eq!(locate(raw, &path), Some((3, 12)));
    }

    #[test]
    fn locate_skips_nested_values_and_escaped_quotes() {
        let raw = r#"{"a":{"b":"x\"}"},"c":[1,[2]],"d":true}"#;
        assert_eq!(locate(raw, &[PathStep::Key("d")]), Some((1, 39)));
    }

    #[test]
    fn locate_returns_none_for_missing_key() {
        assert_eq!(locate(r#"{"a":1}"#, &[PathStep::Key("b")]), None);
    }
}
