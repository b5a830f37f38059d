//! Embeds every file under `templates/` into the binary (see `src/render/templates.rs`).

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files: Vec<(String, String)> = walkdir::WalkDir::new(&root)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("templates/ is readable"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            println!("cargo:rerun-if-changed={}", e.path().display());
            let rel = e.path().strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
            (rel, e.path().display().to_string())
        })
        .collect();
    files.sort();
    let mut out = String::from(
        "/// Every file under `templates/`, by relative path.\npub static EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for (rel, abs) in files {
        writeln!(out, "    ({rel:?}, include_str!({abs:?})),").unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("embedded_templates.rs");
    std::fs::write(dest, out).unwrap();
}
