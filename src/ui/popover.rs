//! What lies under an open popover (preferences, accounts, sign out): a
//! shade that closes it on a click outside, while the page beside it is
//! inert, out of reach of Tab, screen readers and pointers, as under a
//! modal dialog.

use leptos::prelude::*;

/// The page's panes (chat list and chat), made inert while this lives.
#[component]
pub fn Shade(close: Callback<()>) -> impl IntoView {
    let panes = || {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(".panes").ok().flatten())
    };
    if let Some(panes) = panes() {
        let _ = panes.set_attribute("inert", "");
    }
    on_cleanup(move || {
        if let Some(panes) = panes() {
            let _ = panes.remove_attribute("inert");
        }
    });
    view! { <div class="popover-shade" on:click=move |_| close.run(())></div> }
}
