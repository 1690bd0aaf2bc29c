//! `LIKE` patterns: only `'prefix%'` has a DynamoDB equivalent
//! (`begins_with`).
//!
//! The pattern must be literal text followed by exactly one `%`, the last
//! character. `%` and `_` inside the prefix must be escaped; the escape
//! character is a backslash unless `ESCAPE 'c'` names another (`ESCAPE ''`
//! turns escaping off), as in PostgreSQL.

/// The prefix `pattern` matches, or why it is not a prefix pattern.
pub(crate) fn like_prefix(pattern: &str, escape: Option<char>) -> Result<String, String> {
    let mut prefix = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if Some(c) == escape {
            match chars.next() {
                Some(escaped) => prefix.push(escaped),
                None => return Err("it ends with the escape character".to_owned()),
            }
            continue;
        }
        match c {
            '%' if chars.peek().is_none() => return Ok(prefix),
            '%' => return Err("it has a `%` before the end".to_owned()),
            '_' => return Err("it has the single-character wildcard `_`".to_owned()),
            _ => prefix.push(c),
        }
    }
    Err("it has no trailing `%` (for an exact match write `= 'text'`)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::like_prefix;

    #[test]
    fn prefix_patterns() {
        assert_eq!(like_prefix("abc%", Some('\\')), Ok("abc".to_owned()));
        assert_eq!(like_prefix("%", Some('\\')), Ok(String::new()));
        assert_eq!(like_prefix(r"50\%\_off%", Some('\\')), Ok("50%_off".to_owned()));
        assert_eq!(like_prefix("a!%b%", Some('!')), Ok("a%b".to_owned()));
        assert_eq!(like_prefix(r"a\b%", None), Ok(r"a\b".to_owned()));
        assert_eq!(like_prefix("é😀%", Some('\\')), Ok("é😀".to_owned()));
    }

    #[test]
    fn other_patterns_say_why() {
        assert!(like_prefix("a%b", Some('\\')).unwrap_err().contains("before the end"));
        assert!(like_prefix("%a%", Some('\\')).unwrap_err().contains("before the end"));
        assert!(like_prefix("a_%", Some('\\')).unwrap_err().contains("`_`"));
        assert!(like_prefix("abc", Some('\\')).unwrap_err().contains("no trailing"));
        assert!(like_prefix("abc%%", Some('\\')).unwrap_err().contains("before the end"));
        assert!(like_prefix("abc\\", Some('\\')).unwrap_err().contains("escape"));
    }
}
