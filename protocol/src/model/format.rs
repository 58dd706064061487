//! Message formatting: `**bold**`, `_italic_`, `` `code` ``, fenced
//! ```` ``` ```` blocks and links, parsed into a structure the app renders
//! as elements — never as HTML, so no text can become markup. Anything
//! that does not close stays plain text, as typed.

/// A run of a message's text and how it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    Text(String),
    Bold(String),
    Italic(String),
    Code(String),
    /// A pre-formatted block (```` ``` ```` fences).
    Pre(String),
    /// An `http://` or `https://` address, shown as a link.
    Link(String),
    /// `@username`: a person named in the message (without the `@`).
    Mention(String),
}

/// Splits a message's text into spans.
pub fn parse(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let found = if rest.starts_with("```") {
            closed(rest, "```", "```")
                .map(|(inner, len)| (Span::Pre(inner.trim_matches('\n').to_string()), len))
        } else if c == '`' {
            closed(rest, "`", "`").map(|(inner, len)| (Span::Code(inner.to_string()), len))
        } else if rest.starts_with("**") {
            closed(rest, "**", "**").map(|(inner, len)| (Span::Bold(inner.to_string()), len))
        } else if c == '_' && plain.chars().last().is_none_or(|p| !p.is_alphanumeric()) {
            closed(rest, "_", "_").map(|(inner, len)| (Span::Italic(inner.to_string()), len))
        } else if rest.starts_with("https://") || rest.starts_with("http://") {
            link(rest).map(|url| (Span::Link(url.to_string()), url.len()))
        } else if c == '@' && plain.chars().last().is_none_or(|p| !p.is_alphanumeric()) {
            mention(rest).map(|name| (Span::Mention(name.to_string()), name.len() + 1))
        } else {
            None
        };
        match found {
            Some((span, len)) => {
                if !plain.is_empty() {
                    spans.push(Span::Text(std::mem::take(&mut plain)));
                }
                spans.push(span);
                rest = &rest[len..];
            }
            None => {
                plain.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if !plain.is_empty() {
        spans.push(Span::Text(plain));
    }
    spans
}

/// `open inner close` at the start of `s`, with a non-blank `inner` on one
/// line (blocks may span lines): the inner text and the whole length.
fn closed<'a>(s: &'a str, open: &str, close: &str) -> Option<(&'a str, usize)> {
    let body = &s[open.len()..];
    let end = body.find(close)?;
    let inner = &body[..end];
    let block = open == "```";
    if inner.trim().is_empty() || (!block && inner.contains('\n')) {
        return None;
    }
    Some((inner, open.len() + end + close.len()))
}

/// The username after the `@` at the start of `s`, if it is one
/// (`limits::check_username`).
fn mention(s: &str) -> Option<&str> {
    let body = &s[1..];
    let end = body
        .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
        .unwrap_or(body.len());
    let name = &body[..end];
    crate::limits::check_username(name).is_ok().then_some(name)
}

/// Whether `text` mentions `username` (`@username`, as [`parse`] reads it).
pub fn mentions(text: &str, username: &str) -> bool {
    text.contains('@')
        && parse(text)
            .iter()
            .any(|span| matches!(span, Span::Mention(name) if name == username))
}

/// The address at the start of `s`: up to whitespace, without trailing
/// punctuation that usually ends a sentence rather than the address.
fn link(s: &str) -> Option<&str> {
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    let url = s[..end].trim_end_matches(['.', ',', ')', '!', '?', ';', ':', '"', '\'']);
    let host = url.split_once("://")?.1;
    (!host.is_empty()).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Span {
        Span::Text(s.into())
    }

    #[test]
    fn mentions_are_usernames_after_an_at() {
        assert_eq!(
            parse("hi @bob_7, mail a@b.c or @x"),
            vec![
                text("hi "),
                Span::Mention("bob_7".into()),
                text(", mail a@b.c or @x"),
            ]
        );
        assert!(mentions("ping @alice!", "alice"));
        assert!(!mentions("ping @alicex", "alice"));
        assert!(!mentions("mail alice@example.org", "example"));
    }

    #[test]
    fn styles_links_and_blocks() {
        assert_eq!(
            parse("a **b** _c_ `d` see https://x.org/p?q=1."),
            vec![
                text("a "),
                Span::Bold("b".into()),
                text(" "),
                Span::Italic("c".into()),
                text(" "),
                Span::Code("d".into()),
                text(" see "),
                Span::Link("https://x.org/p?q=1".into()),
                text("."),
            ]
        );
        assert_eq!(
            parse("```\nfn main() {}\n```"),
            vec![Span::Pre("fn main() {}".into())]
        );
    }

    #[test]
    fn what_does_not_close_stays_as_typed() {
        for s in [
            "**open",
            "snake_case_name",
            "`",
            "** **",
            "http://",
            "<b>not html</b>",
            "a*b*c",
        ] {
            let back: String = parse(s)
                .into_iter()
                .map(|span| match span {
                    Span::Text(t) | Span::Link(t) => t,
                    other => panic!("{s:?} gave {other:?}"),
                })
                .collect();
            assert_eq!(back, s);
        }
    }

    #[test]
    fn cjk_and_emoji_pass_through() {
        assert_eq!(
            parse("你好 **世界** 🎉"),
            vec![text("你好 "), Span::Bold("世界".into()), text(" 🎉")]
        );
    }
}
