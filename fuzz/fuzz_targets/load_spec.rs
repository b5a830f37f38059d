//! Any text as a spec: parse, locate, schema-check, validate. Errors are fine; panics are not.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = fabgen::spec::load_spec("fuzz.yaml", text);
    }
});
