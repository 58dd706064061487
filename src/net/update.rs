//! The app updating itself when the server no longer speaks its protocol.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::now_ms;

/// When the app last reloaded to update itself, in sessionStorage.
const UPDATED_AT_KEY: &str = "courier-updated-at";

/// A server that refuses even a fresh app does not get a reload loop.
const UPDATE_AGAIN_AFTER_MS: f64 = 600_000.0;

/// Fetches the newest app (the service worker checks for a new version and,
/// being network-first, the reload gets the new page) and reloads into it,
/// unless this tab already did so lately. Whether the page is reloading.
pub(super) async fn update_app() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let session = window.session_storage().ok().flatten();
    let last = session
        .as_ref()
        .and_then(|s| s.get_item(UPDATED_AT_KEY).ok().flatten())
        .and_then(|at| at.parse::<f64>().ok());
    if last.is_some_and(|at| now_ms() - at < UPDATE_AGAIN_AFTER_MS) {
        return false;
    }
    if let Some(s) = &session {
        let _ = s.set_item(UPDATED_AT_KEY, &now_ms().to_string());
    }
    let navigator = window.navigator();
    // Absent on insecure origins: the reload alone brings the new app.
    if js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        let workers = navigator.service_worker();
        if let Ok(registration) = JsFuture::from(workers.get_registration()).await
            && let Ok(registration) = registration.dyn_into::<web_sys::ServiceWorkerRegistration>()
            && let Ok(update) = registration.update()
        {
            let _ = JsFuture::from(update).await;
        }
    }
    window.location().reload().is_ok()
}
