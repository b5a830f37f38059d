//! Kubernetes resource quantities as the API server stores them. The server parses a quantity
//! and writes it back in its canonical form (`1024Mi` becomes `1Gi`, `0.5` becomes `500m`), so
//! a manifest carrying any other spelling differs from the stored object on every `kubectl
//! apply` and in every GitOps diff. [`canonical`] computes that form exactly as apimachinery's
//! `resource.ParseQuantity` and `Quantity.CanonicalizeBytes` do (k8s.io/apimachinery
//! pkg/api/resource/quantity.go), including the spellings the parser keeps as they were written.

/// How a quantity is written: its suffix decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// `Ki`, `Mi`, … (powers of 1024).
    BinarySi,
    /// `n`, `u`, `m`, none, `k`, `M`, … (powers of 1000).
    DecimalSi,
    /// `e3`, `E-6`, … (powers of ten).
    DecimalExponent,
}

/// A quantity split as apimachinery's `parseQuantityString` splits it.
struct Parts<'a> {
    /// Digits before the point, leading zeros stripped (`0` when none are left).
    num: &'a str,
    /// Digits after the point.
    denom: &'a str,
    /// The suffix: base, exponent, format.
    base: u32,
    exponent: i32,
    format: Format,
}

fn digits(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

/// What a suffix means (apimachinery suffix.go): its base, exponent and format.
fn interpret(suffix: &str) -> Option<(u32, i32, Format)> {
    let decimal =
        [("n", -9), ("u", -6), ("m", -3), ("", 0), ("k", 3), ("M", 6), ("G", 9), ("T", 12), ("P", 15), ("E", 18)];
    if let Some((_, e)) = decimal.iter().find(|(s, _)| *s == suffix) {
        return Some((10, *e, Format::DecimalSi));
    }
    let binary = [("Ki", 10), ("Mi", 20), ("Gi", 30), ("Ti", 40), ("Pi", 50), ("Ei", 60)];
    if let Some((_, e)) = binary.iter().find(|(s, _)| *s == suffix) {
        return Some((2, *e, Format::BinarySi));
    }
    let exponent = suffix.strip_prefix(['e', 'E'])?;
    let unsigned = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    if unsigned.is_empty() || digits(unsigned) != unsigned.len() {
        return None;
    }
    Some((10, exponent.parse().ok()?, Format::DecimalExponent))
}

/// Splits a positive quantity (no sign) into its parts, or `None` when it is no quantity.
fn split(q: &str) -> Option<Parts<'_>> {
    let unsigned = q.strip_prefix('+').unwrap_or(q);
    let stripped = unsigned.trim_start_matches('0');
    let n = digits(stripped);
    let num = if n == 0 { "0" } else { &stripped[..n] };
    let mut rest = &stripped[n..];
    let mut denom = "";
    if let Some(after) = rest.strip_prefix('.') {
        let d = digits(after);
        denom = &after[..d];
        rest = &after[d..];
    }
    let (base, exponent, format) = interpret(rest)?;
    Some(Parts { num, denom, base, exponent, format })
}

/// The spelling the parser keeps as written, when its fast path applies and calls it canonical.
fn kept_as_written(p: &Parts) -> bool {
    let (mut scale, mantissa_bits, precision) = match p.format {
        Format::DecimalSi | Format::DecimalExponent => (p.exponent, 0, 18 - (p.num.len() + p.denom.len()) as i64),
        Format::BinarySi if p.denom.is_empty() => {
            (0, p.exponent, 15 - p.num.len() as i64 - (p.exponent as f32 * 3.0 / 10.0) as i64 - 1)
        }
        Format::BinarySi => return false,
    };
    if precision < 0 {
        return false;
    }
    scale -= p.denom.len() as i32;
    let shifted = format!("{}{}", p.num, p.denom);
    let Ok(value) = shifted.parse::<i64>() else { return false };
    if scale < -9 || value.checked_mul(1i64 << mantissa_bits).is_none() {
        return false;
    }
    match p.format {
        Format::BinarySi => p.exponent % 10 == 0 && value & 0x07 != 0,
        _ => scale % 3 == 0 && !shifted.ends_with("000") && !shifted.starts_with('0'),
    }
}

/// The value in nano-units, rounded up to a whole nano-unit as the parser rounds; `None` when
/// it does not fit (no quantity fabgen renders comes near).
fn nanos(p: &Parts) -> Option<i128> {
    let n: i128 = format!("{}{}", p.num, p.denom).parse().ok()?;
    let (ten, two) = if p.base == 2 { (0, p.exponent) } else { (p.exponent, 0) };
    let shift = 9 + ten - p.denom.len() as i32;
    let scaled = n.checked_mul(1i128.checked_shl(two as u32)?)?;
    if shift >= 0 {
        scaled.checked_mul(10i128.checked_pow(shift as u32)?)
    } else {
        let d = 10i128.checked_pow((-shift) as u32)?;
        Some((scaled + d - 1) / d)
    }
}

/// `v` nano-units as mantissa and a base-10 exponent that is a multiple of three, the mantissa
/// as small as an integer allows (apimachinery `AsCanonicalBytes`).
fn decimal_parts(v: i128) -> (i128, i32) {
    let (mut m, mut x) = (v, -9);
    while m % 10 == 0 {
        m /= 10;
        x += 1;
    }
    while x % 3 != 0 {
        m *= 10;
        x -= 1;
    }
    (m, x)
}

/// The form the API server stores `q` in, or `None` when `q` is no positive quantity or too
/// large to say (above `999E`).
pub fn canonical(q: &str) -> Option<String> {
    if q.starts_with('-') {
        return None;
    }
    let p = split(q)?;
    if kept_as_written(&p) {
        return Some(q.to_string());
    }
    let v = nanos(&p)?;
    if v == 0 {
        return Some("0".into());
    }
    const ONE: i128 = 1_000_000_000;
    if p.format == Format::BinarySi && v >= 1024 * ONE && v % ONE == 0 {
        let (mut m, mut i) = (v / ONE, 0);
        while m % 1024 == 0 && i < 6 {
            m /= 1024;
            i += 1;
        }
        return Some(format!("{m}{}", ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][i]));
    }
    let (m, x) = decimal_parts(v);
    let suffix = match p.format {
        Format::DecimalExponent if x == 0 => String::new(),
        Format::DecimalExponent => format!("e{x}"),
        _ => ["n", "u", "m", "", "k", "M", "G", "T", "P", "E"].get(((x + 9) / 3) as usize)?.to_string(),
    };
    Some(format!("{m}{suffix}"))
}

/// What is wrong with a quantity, if anything: not a positive quantity.
pub fn not_positive(q: &str) -> Option<String> {
    let positive = !q.starts_with('-') && split(q).and_then(|p| nanos(&p)).is_some_and(|v| v > 0);
    (!positive).then(|| format!("\"{q}\" is not a positive Kubernetes quantity like 500m, 1, 512Mi or 10Gi"))
}

/// What is wrong with a quantity fabgen writes into an object, if anything: not a positive
/// quantity, or not in the form the API server stores.
pub fn problem(q: &str) -> Option<String> {
    if let Some(problem) = not_positive(q) {
        return Some(problem);
    }
    match canonical(q) {
        Some(c) if c != q => Some(format!(
            "\"{q}\" is stored by Kubernetes as \"{c}\": write {c}, or every `kubectl apply` and GitOps diff sees a change"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms_are_the_api_servers() {
        // Each pair as apimachinery's quantity tests and a real server's round trip have them.
        for (written, stored) in [
            ("1024Mi", "1Gi"),
            ("1536Mi", "1536Mi"),
            ("0.5Gi", "512Mi"),
            ("1.5Ki", "1536"),
            ("0.5", "500m"),
            ("1.5", "1500m"),
            ("1000m", "1"),
            ("2000", "2k"),
            ("1.0", "1"),
            ("1e4", "10e3"),
            ("0.1n", "1n"),
            ("100Mi", "100Mi"),
            ("8Gi", "8Gi"),
        ] {
            assert_eq!(canonical(written).as_deref(), Some(stored), "{written}");
        }
    }

    #[test]
    fn spellings_the_parser_keeps_stay_as_written() {
        for q in ["500m", "250m", "1", "100", "10Gi", "512Mi", "3Gi", "1e3", "10e3", "0100m", "+1"] {
            assert_eq!(canonical(q).as_deref(), Some(q), "{q}");
            assert_eq!(problem(q), None, "{q}");
        }
    }

    #[test]
    fn problems_name_the_stored_form_or_refuse_non_quantities() {
        assert!(problem("1024Mi").unwrap().contains("stored by Kubernetes as \"1Gi\""));
        assert!(problem("0.5").unwrap().contains("write 500m"));
        for bad in ["", "0", "-1", "1.2.3", "1Q", "Mi", "1e", "0m", "1 Gi"] {
            assert!(problem(bad).unwrap().contains("not a positive"), "{bad}");
        }
    }
}
