//! Fabric's signature policy language, as far as validation needs it: `--signature-policy`
//! values and collection member policies are parsed here so a typo, an unknown MSP ID or a
//! policy that can never be met is reported with the spec's line instead of by a peer at
//! approve time.
//!
//! The grammar follows fabric common/policydsl/policyparser.go: gates `AND`/`And`/`and`,
//! `OR`/`Or`/`or` and `OutOf`/`outof`/`OUTOF` (exactly these spellings are registered), whose
//! arguments are gates or quoted principals; `OutOf`'s first argument is a threshold, a number
//! or a quoted number. A principal is `'<MSP ID>.<role>'` matching
//! `^([[:alnum:].-]+)([.])(admin|member|client|peer|orderer)$`: the last `.role` is the role,
//! and the MSP ID has no `_`. Whitespace between tokens is skipped (govaluate).

/// One principal: an MSP ID and a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// MSP ID.
    pub msp_id: String,
    /// `admin`, `member`, `client`, `peer` or `orderer`.
    pub role: String,
}

/// A parsed policy: a principal, or `threshold` out of `rules`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Policy {
    /// Signed by a principal.
    SignedBy(Principal),
    /// At least `threshold` of `rules` (`AND` is all of them, `OR` one).
    OutOf {
        /// How many rules must be met.
        threshold: usize,
        /// The rules.
        rules: Vec<Policy>,
    },
}

const ROLES: &[&str] = &["admin", "member", "client", "peer", "orderer"];

impl Policy {
    /// Every principal the policy names, in order of appearance.
    pub fn principals(&self) -> Vec<&Principal> {
        match self {
            Policy::SignedBy(p) => vec![p],
            Policy::OutOf { rules, .. } => rules.iter().flat_map(Policy::principals).collect(),
        }
    }

    /// Whether the policy is a concatenation of ORs only, as a collection's member policy must
    /// be (fabric core/common/privdata, `validateSpOrConcat`: every NOutOf has N = 1).
    pub fn is_or_only(&self) -> bool {
        match self {
            Policy::SignedBy(_) => true,
            Policy::OutOf { threshold, rules } => *threshold == 1 && rules.iter().all(Policy::is_or_only),
        }
    }

    /// Whether endorsements by peers of the MSP IDs in `signers` can meet the policy: a peer's
    /// signature meets `peer` and `member` principals of its MSP, never `admin`, `client` or
    /// `orderer`.
    pub fn satisfiable_by(&self, signers: &[&str]) -> bool {
        match self {
            Policy::SignedBy(p) => signers.contains(&p.msp_id.as_str()) && (p.role == "peer" || p.role == "member"),
            Policy::OutOf { threshold, rules } => {
                rules.iter().filter(|r| r.satisfiable_by(signers)).count() >= *threshold
            }
        }
    }
}

/// Parses a policy, or says what is wrong with it.
pub fn parse(text: &str) -> Result<Policy, String> {
    let mut parser = Parser { text, pos: 0 };
    let policy = parser.expression()?;
    parser.skip_space();
    if parser.pos < text.len() {
        return Err(format!("unexpected \"{}\" after the policy", &text[parser.pos..]));
    }
    Ok(policy)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

enum Argument {
    Policy(Policy),
    Number(usize),
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn skip_space(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.text.len() - trimmed.len();
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        self.skip_space();
        if self.rest().starts_with(c) {
            self.pos += c.len_utf8();
            Ok(())
        } else {
            Err(format!("expected '{c}' at \"{}\"", self.rest()))
        }
    }

    fn expression(&mut self) -> Result<Policy, String> {
        match self.argument()? {
            Argument::Policy(p) => Ok(p),
            Argument::Number(n) => Err(format!("a number ({n}) is only allowed as OutOf's first argument")),
        }
    }

    fn argument(&mut self) -> Result<Argument, String> {
        self.skip_space();
        let text = self.text;
        let rest = &text[self.pos..];
        if let Some(quote) = rest.chars().next().filter(|c| *c == '\'' || *c == '"') {
            let body = &rest[1..];
            let end = body.find(quote).ok_or_else(|| format!("unterminated string {rest}"))?;
            let literal = &body[..end];
            self.pos += end + 2;
            if let Ok(n) = literal.parse::<usize>() {
                return Ok(Argument::Number(n));
            }
            return principal(literal).map(|p| Argument::Policy(Policy::SignedBy(p)));
        }
        let word: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        if word.is_empty() {
            return Err(if rest.is_empty() {
                "unexpected end of the policy".to_string()
            } else {
                format!("unexpected \"{rest}\"")
            });
        }
        self.pos += word.len();
        if let Ok(n) = word.parse::<usize>() {
            return Ok(Argument::Number(n));
        }
        let gate = match word.as_str() {
            "AND" | "And" | "and" => Gate::And,
            "OR" | "Or" | "or" => Gate::Or,
            "OutOf" | "outof" | "OUTOF" => Gate::OutOf,
            _ => {
                return Err(format!(
                    "unknown word \"{word}\": gates are AND, OR and OutOf, and principals are quoted ('Org1MSP.member')"
                ));
            }
        };
        self.expect('(')?;
        let mut args = vec![self.argument()?];
        loop {
            self.skip_space();
            if self.rest().starts_with(',') {
                self.pos += 1;
                args.push(self.argument()?);
            } else {
                break;
            }
        }
        self.expect(')')?;
        gate.build(args).map(Argument::Policy)
    }
}

enum Gate {
    And,
    Or,
    OutOf,
}

impl Gate {
    fn build(self, args: Vec<Argument>) -> Result<Policy, String> {
        let (threshold, args) = match self {
            Gate::OutOf => {
                if args.len() < 2 {
                    return Err(format!(
                        "OutOf needs a threshold and at least one rule, got {} argument(s)",
                        args.len()
                    ));
                }
                let mut args = args.into_iter();
                let Some(Argument::Number(t)) = args.next() else {
                    return Err("OutOf's first argument must be a number".to_string());
                };
                (Some(t), args.collect::<Vec<_>>())
            }
            _ => (None, args),
        };
        let rules = args
            .into_iter()
            .map(|a| match a {
                Argument::Policy(p) => Ok(p),
                Argument::Number(n) => Err(format!("a number ({n}) is only allowed as OutOf's first argument")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let n = rules.len();
        let threshold = match self {
            Gate::And => n,
            Gate::Or => 1,
            Gate::OutOf => threshold.expect("set above"),
        };
        if threshold == 0 {
            return Err("OutOf(0, …) is met without any signature".to_string());
        }
        if threshold > n {
            return Err(format!("OutOf({threshold}, …) of {n} rule(s) can never be met"));
        }
        Ok(Policy::OutOf { threshold, rules })
    }
}

fn principal(literal: &str) -> Result<Principal, String> {
    let bad = || format!("invalid principal '{literal}': write '<MSP ID>.<role>', role one of {}", ROLES.join(", "));
    let (msp_id, role) = literal.rsplit_once('.').ok_or_else(bad)?;
    let msp_ok = !msp_id.is_empty() && msp_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !msp_ok || !ROLES.contains(&role) {
        return Err(bad());
    }
    Ok(Principal { msp_id: msp_id.to_string(), role: role.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msps(text: &str) -> Vec<String> {
        parse(text).unwrap().principals().iter().map(|p| format!("{}.{}", p.msp_id, p.role)).collect()
    }

    #[test]
    fn parses_the_gates_fabric_registers_with_nesting_and_spaces() {
        assert_eq!(msps("OR('Org1MSP.peer','Org2MSP.peer')"), ["Org1MSP.peer", "Org2MSP.peer"]);
        assert_eq!(
            msps("and( 'A.member' , Or('B.admin', \"C.client\"), OutOf(1, 'D.orderer'))"),
            ["A.member", "B.admin", "C.client", "D.orderer"]
        );
        assert_eq!(msps("OutOf('2', 'A.peer', 'B.peer', 'C.peer')"), ["A.peer", "B.peer", "C.peer"]);
        // The last `.role` is the role; MSP IDs may hold dots and dashes.
        assert_eq!(msps("'MSP.WITH.DOTS.member'"), ["MSP.WITH.DOTS.member"]);
        assert_eq!(msps("OR('MSP-WITH-DASHES.peer')"), ["MSP-WITH-DASHES.peer"]);
    }

    #[test]
    fn rejects_what_policydsl_rejects_and_policies_that_cannot_be_met() {
        for (text, error) in [
            ("OR('Org1MSP.peer'", "expected ')'"),
            ("oR('A.peer')", "unknown word \"oR\""),
            ("OR(Org1MSP.peer)", "unknown word \"Org1MSP\""),
            ("OR('Org_1.peer')", "invalid principal 'Org_1.peer'"),
            ("OR('Org1MSP.Peer')", "invalid principal"),
            ("OutOf(3, 'A.peer', 'B.peer')", "can never be met"),
            ("OutOf(0, 'A.peer')", "without any signature"),
            ("OutOf('A.peer', 'B.peer')", "first argument must be a number"),
            ("OutOf(1)", "at least one rule"),
            ("", "unexpected end"),
            ("OR('A.peer') x", "after the policy"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains(error), "{text}: {e}");
        }
    }

    #[test]
    fn knows_or_concatenations_and_who_can_satisfy_a_policy() {
        assert!(parse("OR('A.member', OR('B.member', 'C.member'))").unwrap().is_or_only());
        assert!(parse("'A.member'").unwrap().is_or_only());
        assert!(!parse("AND('A.member', 'B.member')").unwrap().is_or_only());
        let p = parse("OutOf(2, 'A.peer', 'B.peer', 'C.peer')").unwrap();
        assert!(p.satisfiable_by(&["A", "C"]));
        assert!(!p.satisfiable_by(&["A"]));
        assert!(parse("AND('A.peer', OR('B.peer', 'C.member'))").unwrap().satisfiable_by(&["A", "C"]));
        assert!(!parse("OR('A.admin', 'A.client')").unwrap().satisfiable_by(&["A"]), "peers endorse");
    }
}
