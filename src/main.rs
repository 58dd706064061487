fn main() {
    console_error_panic_hook::set_once();
    // The language's texts come before the first view, so it never shows
    // in English first.
    // (Leptos's executor starts with the mount: this task is the browser's.)
    wasm_bindgen_futures::spawn_local(async {
        courier::i18n::load(courier::ui::opening_lang()).await;
        leptos::mount::mount_to_body(courier::ui::App);
    });
}
