//! Any text that validates as a spec must resolve, render and pass the Kubernetes check:
//! validation has to refuse everything rendering would.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(spec) = fabgen::spec::load_spec("fuzz.yaml", text) else { return };
    if let Err(e) = fabgen::generate(&spec, &fabgen::render::TemplateSet::embedded()) {
        // k8scc packages read chaincode sources from disk (model/package.rs), which a fuzzed
        // path need not name; every other failure of a valid spec is a bug.
        let message = format!("{e:#}");
        let reads_sources = message.contains("failed to read chaincode source")
            || message.contains("has no package.json")
            || message.contains("holds no files")
            || message.contains("is not a regular file");
        assert!(reads_sources, "a valid spec failed to render: {message}");
    }
});
