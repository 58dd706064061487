//! Parts of the app whose code is not in the first load: a function marked
//! `#[wasm_split(<part>, …)]` is cut out of the wasm by the build
//! (`scripts/app.sh`) into a file of its own, fetched the first time the
//! function is called. What such a part shows goes through `on_first_use`
//! (and, where what it shows changes with a key, `per_key`); a part the
//! next step will likely need is fetched ahead by `fetch_after_paint`.

use std::future::Future;
use std::hash::Hash;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use wasm_split_helpers::SplitLoaderError;

use crate::i18n::t;

/// Shows the view `load` makes once its code has arrived; nothing until
/// then, and a clear line (the rest of the app going on) if it could not
/// be fetched, say offline before the app was kept for offline use.
pub fn on_first_use(
    load: impl Future<Output = Result<AnyView, SplitLoaderError>> + 'static,
) -> impl IntoView {
    // Only ever polled on the page's one thread.
    let load = SendWrapper::new(load);
    Suspend::new(async move {
        load.await.unwrap_or_else(|_| {
            view! { <p class="error" role="alert">{t("part-not-loaded")}</p> }.into_any()
        })
    })
}

/// Shows `show(key)` for the current key (nothing while there is none),
/// built anew for each new key, never the last key's view rebuilt: a view
/// from a part arrives through `Suspend`, whose rebuild waits a tick with
/// the old view's handlers still live, reading what was disposed.
pub fn per_key<K, V>(
    key: impl Fn() -> Option<K> + Send + Sync + 'static,
    show: impl Fn(K) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    K: Clone + Eq + Hash + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! { <For each=key key=K::clone children=show /> }
}

/// Fetches a part once the screen has painted (the `preload` its
/// `#[wasm_split(…, preload(…))]` made), so its first use seldom waits. A
/// failed fetch is tried again at that first use.
pub fn fetch_after_paint<F>(preload: fn() -> F)
where
    F: Future<Output = Result<(), SplitLoaderError>> + 'static,
{
    request_animation_frame(move || {
        set_timeout(
            move || spawn_local(async move { _ = preload().await }),
            Duration::ZERO,
        );
    });
}
