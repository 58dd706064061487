//! What every response carries at the edge: JSON errors for unknown API
//! paths, and the security headers of the app's pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine;
use common::*;
use courier_protocol::ErrorCode;
use courier_protocol::http::ApiError;
use sha2::{Digest, Sha256};

const LOADER: &str = "import init from '/courier.js'; init();";

/// A built app's index.html with Trunk's inline loader.
fn app_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let html = format!(
        "<!DOCTYPE html><html><head><script type=\"module\">{LOADER}</script>\
         <script src=\"/other.js\"></script></head><body></body></html>"
    );
    std::fs::write(dir.path().join("index.html"), html).unwrap();
    dir
}

#[tokio::test]
async fn unknown_api_paths_are_json_404s() {
    let server = start_server().await;
    for path in ["/api/nope", "/api/chats/1/nothing", "/api/"] {
        let response = http()
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
        let body: ApiError = response.json().await.expect(path);
        assert_eq!(body.error, ErrorCode::NotFound, "{path}");
    }
}

/// Each typed endpoint is routed at its method: asked without a session,
/// none answers the unknown path's `not_found` or 405.
#[tokio::test]
async fn every_typed_endpoint_is_routed() {
    use courier_protocol::http::{Method, ROUTES};
    let server = start_server().await;
    for route in ROUTES {
        let path = route.path.replace("{id}", "1").replace("{user}", "2");
        let path = path.replace("{code}", "abc").replace("{handle}", "abc");
        let method = match route.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let path = path.replace("{msg}", "m1");
        let response = http()
            .request(method, format!("{}{path}", server.base))
            .header("origin", &server.base)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        assert_ne!(status, 405, "{} {}", route.method.as_str(), route.path);
        let body: Option<ApiError> = response.json().await.ok();
        assert_ne!(
            body.map(|b| b.error),
            Some(ErrorCode::NotFound),
            "{} {}",
            route.method.as_str(),
            route.path
        );
    }
}

#[tokio::test]
async fn the_app_is_served_with_a_strict_policy() {
    let app = app_dir();
    let static_dir = app.path().to_path_buf();
    let server = start_with(|c| c.static_dir = static_dir).await;
    for path in ["/", "/join/abc"] {
        let response = http()
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(LOADER));
        for part in [
            format!("'sha256-{hash}'"),
            "'wasm-unsafe-eval'".into(),
            "frame-ancestors 'none'".into(),
            "object-src 'none'".into(),
        ] {
            assert!(csp.contains(&part), "{part} missing from {csp}");
        }
        let scripts = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(!scripts.contains("'unsafe-inline'"), "{scripts}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert!(headers.get("strict-transport-security").is_none());
    }
}

#[tokio::test]
async fn over_tls_cookies_are_secure_and_hsts_is_on() {
    let server = start_with(|c| c.https = true).await;
    let body = courier_protocol::http::SignUp {
        username: "alice".into(),
        password: "correct horse".into(),
        name: None,
    };
    let response = request_to(
        &server.base,
        &courier_protocol::http::SIGN_UP,
        &[],
        "",
        &body,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let cookies: Vec<_> = response.headers().get_all("set-cookie").iter().collect();
    assert_eq!(cookies.len(), 2);
    for cookie in cookies {
        assert!(cookie.to_str().unwrap().ends_with("; Secure"), "{cookie:?}");
    }
    assert!(response.headers().contains_key("strict-transport-security"));
}

/// The app's files go compressed as the build wrote them, to a browser that
/// takes that encoding, and as they are to one that takes none.
#[tokio::test]
async fn the_apps_files_go_in_their_precompressed_copies() {
    let app = app_dir();
    let js = "export default function init() {}\n".repeat(50);
    std::fs::write(app.path().join("app.js"), &js).unwrap();
    std::fs::write(app.path().join("app.js.br"), b"brotli bytes").unwrap();
    std::fs::write(app.path().join("app.js.gz"), b"gzip bytes").unwrap();
    let static_dir = app.path().to_path_buf();
    let server = start_with(|c| c.static_dir = static_dir).await;
    for (accepts, encoding, body) in [
        (Some("gzip, deflate, br"), Some("br"), &b"brotli bytes"[..]),
        (Some("gzip, deflate"), Some("gzip"), &b"gzip bytes"[..]),
        (None, None, js.as_bytes()),
    ] {
        let mut request = http().get(format!("{}/app.js", server.base));
        if let Some(accepts) = accepts {
            request = request.header("accept-encoding", accepts);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "{accepts:?}");
        assert_eq!(
            response
                .headers()
                .get("content-encoding")
                .map(|e| e.to_str().unwrap()),
            encoding,
            "{accepts:?}"
        );
        assert_eq!(&response.bytes().await.unwrap()[..], body, "{accepts:?}");
    }
}
