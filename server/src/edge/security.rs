//! Security headers on every response: a Content Security Policy that lets
//! only the app's own scripts run (the inline loader Trunk writes into
//! index.html by its hash), `nosniff`, no referrer (invite codes are in
//! URLs), and, when Courier is served over TLS, `Secure` cookies and HSTS.

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, HOST, REFERRER_POLICY, SET_COOKIE, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// What the headers need to know, fixed at start-up.
#[derive(Clone)]
pub struct Policy {
    /// `'sha256-…'` sources of the inline scripts of index.html.
    script_hashes: Arc<str>,
    /// Served over TLS (at a proxy in front): cookies are `Secure`, HSTS on.
    https: bool,
}

impl Policy {
    /// Reads the inline scripts of `static_dir/index.html`, if there is one.
    pub fn new(static_dir: &Path, https: bool) -> Policy {
        let index = std::fs::read_to_string(static_dir.join("index.html")).unwrap_or_default();
        let script_hashes = inline_scripts(&index)
            .map(|script| format!(" 'sha256-{}'", STANDARD.encode(Sha256::digest(script))))
            .collect::<String>();
        Policy {
            script_hashes: script_hashes.into(),
            https,
        }
    }

    /// The CSP for a page served to `host`: the socket is on the same host,
    /// named with its ws scheme because older engines do not count it as
    /// 'self'.
    fn content_security_policy(&self, host: Option<&str>) -> String {
        let sockets = host
            .filter(|h| {
                h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
            })
            .map(|h| format!(" ws://{h} wss://{h}"))
            .unwrap_or_default();
        format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{}; \
             style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; \
             connect-src 'self'{sockets}; worker-src 'self'; object-src 'none'; \
             base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            self.script_hashes
        )
    }
}

/// The bodies of `<script>` elements without a `src`, as written.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, rest) = rest.split_once('>')?;
        let (body, _) = rest.split_once("</script>")?;
        (!attributes.contains("src=")).then_some(body)
    })
}

/// Adds the headers to every response.
pub async fn headers(State(policy): State<Policy>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A downloaded file brings its own, stricter policy.
    if !headers.contains_key(CONTENT_SECURITY_POLICY)
        && let Ok(csp) = HeaderValue::from_str(&policy.content_security_policy(host.as_deref()))
    {
        headers.insert(CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if policy.https {
        headers.insert(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
        make_cookies_secure(headers);
    }
    response
}

fn make_cookies_secure(headers: &mut HeaderMap) {
    let cookies: Vec<HeaderValue> = headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| HeaderValue::from_str(&format!("{v}; Secure")).ok())
        .collect();
    headers.remove(SET_COOKIE);
    for cookie in cookies {
        headers.append(SET_COOKIE, cookie);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html = r#"<head><script type="module">boot()</script>
            <script src="/x.js"></script><script>two</script></head>"#;
        assert_eq!(inline_scripts(html).collect::<Vec<_>>(), ["boot()", "two"]);
    }
}
