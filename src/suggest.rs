//! "Did you mean": the one rule meshedge uses to suggest what a mistyped name meant (an unknown
//! field, plugin option or environment).

/// The candidate `name` most likely meant, compared without case: the nearest by
/// optimal-string-alignment distance (a swap of two
/// neighbouring letters counts once), when at most a third of
/// the name's letters differ (one at least), or when the two share most of their start
/// (Jaro–Winkler similarity of 0.85 or more). Ties go to the more similar, then to the first in
/// text order.
pub(crate) fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    nearest_few(name, candidates, 1).into_iter().next()
}

/// Names longer than this many characters get no suggestion: no name meshedge knows is that
/// long (a Kubernetes name is at most 253 characters), and comparing costs the product of the
/// two lengths for every candidate.
pub(crate) const LONGEST_SUGGESTED: usize = 512;

/// Up to `few` candidates `name` may have meant, by the rule of [`nearest`], nearest first.
///
/// Time is bounded by the number of candidates times [`LONGEST_SUGGESTED`] squared at most:
/// a longer `name` gets no suggestion, and a candidate whose length rules out both tests (its
/// edit distance is at least the difference of the lengths; Jaro–Winkler cannot reach 0.85 when
/// one is more than four times as long as the other) is not compared.
pub(crate) fn nearest_few<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>, few: usize) -> Vec<&'a str> {
    let wanted = name.to_ascii_lowercase();
    let wanted_chars = wanted.chars().count();
    if wanted_chars > LONGEST_SUGGESTED {
        return Vec::new();
    }
    let threshold = (wanted.len() / 3).max(1);
    let mut near: Vec<(usize, f64, &str)> = candidates
        .into_iter()
        .filter(|candidate| {
            let chars = candidate.chars().count();
            let (short, long) = (chars.min(wanted_chars), chars.max(wanted_chars));
            long - short <= threshold || short * 4 >= long
        })
        .map(|candidate| {
            let lower = candidate.to_ascii_lowercase();
            (strsim::osa_distance(&wanted, &lower), strsim::jaro_winkler(&wanted, &lower), candidate)
        })
        .filter(|(distance, similarity, _)| *distance <= threshold || *similarity >= 0.85)
        .collect();
    near.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then_with(|| a.2.cmp(b.2)));
    near.into_iter().take(few).map(|(_, _, candidate)| candidate).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_what_was_meant_and_strangers_find_nothing() {
        assert_eq!(nearest("hots", ["host", "gateway", "routes"]), Some("host"));
        assert_eq!(nearest("spce", ["apiVersion", "kind", "metadata", "spec"]), Some("spec"));
        assert_eq!(nearest("servce", ["path", "service", "port", "timeout"]), Some("service"));
        assert_eq!(nearest("MESHEDGE_STIRCT", ["MESHEDGE_ENV", "MESHEDGE_STRICT"]), Some("MESHEDGE_STRICT"));
        assert_eq!(nearest("provenanse", ["env", "strict", "provenance"]), Some("provenance"));
        assert_eq!(nearest("prdo", ["dev", "prod"]), Some("prod"));
        assert_eq!(nearest("bogus", ["name", "namespace", "labels", "annotations"]), None);
        assert_eq!(nearest("staging", ["dev", "prod"]), None);
        assert_eq!(nearest_few("prdo", ["dev", "prod", "prod2", "qa"], 2), ["prod", "prod2"]);
        // Equally near: the first in text order.
        assert_eq!(nearest("prod2", ["environments/prod", "env/prod"].map(|d| &d[d.len() - 4..])), Some("prod"));
    }

    #[test]
    fn a_long_name_among_many_candidates_is_answered_at_once() {
        let candidates: Vec<String> = (0..4000).map(|i| format!("Service/tenant-{i}/backend-{i}")).collect();
        let long = "x".repeat(10_000);
        let start = std::time::Instant::now();
        assert!(nearest_few(&long, candidates.iter().map(String::as_str), 5).is_empty());
        let near_long = format!("Service/tenant-1/{}", "y".repeat(LONGEST_SUGGESTED - 20));
        assert!(nearest_few(&near_long, candidates.iter().map(String::as_str), 5).is_empty());
        // Debug build: the unbounded comparison took minutes here.
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "{:?}", start.elapsed());
        // Still found: a name as long as the longest suggested, with a typo.
        let long_name = "a".repeat(LONGEST_SUGGESTED - 1);
        let typo = format!("{long_name}b");
        assert_eq!(nearest(&typo, [long_name.as_str(), "short"]), Some(long_name.as_str()));
    }
}
