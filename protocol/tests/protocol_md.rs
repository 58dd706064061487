//! PROTOCOL.md documents every typed endpoint, with its method.
#![allow(clippy::expect_used)]

use courier_protocol::http::{Method, ROUTES};

/// `/api/chats/{id}/members?after=…` → `/api/chats/{}/members`.
fn shape(path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    path.split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn every_endpoint_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../PROTOCOL.md"))
        .expect("PROTOCOL.md");
    // First cells of the endpoint table: "`GET`, `PUT /api/me/folders`".
    let documented: Vec<(Vec<&str>, String)> = doc
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|line| line.split(" |").next())
        .filter_map(|cell| {
            let path = cell.split_whitespace().find(|w| w.starts_with("/api"))?;
            let methods = cell
                .split(|c: char| !c.is_ascii_uppercase())
                .filter(|w| !w.is_empty())
                .collect();
            Some((methods, shape(path.trim_end_matches('`'))))
        })
        .collect();
    for route in ROUTES {
        let method = route.method.as_str();
        assert!(
            documented
                .iter()
                .any(|(methods, path)| *path == shape(route.path) && methods.contains(&method)),
            "PROTOCOL.md does not document {method} {}",
            route.path
        );
    }
    assert!(ROUTES.iter().any(|r| r.method == Method::Patch));
}
