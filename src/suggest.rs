//! "Did you mean": the one rule meshedge uses to suggest what a mistyped name meant (an unknown
//! field, plugin option or environment).

/// The candidate `name` most likely meant, compared without case: the nearest by
/// Damerau–Levenshtein distance (a swap of two letters counts once), when at most a third of
/// the name's letters differ (one at least), or when the two share most of their start
/// (Jaro–Winkler similarity of 0.85 or more). Ties go to the more similar, then to the first in
/// text order.
pub(crate) fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    nearest_few(name, candidates, 1).into_iter().next()
}

/// Up to `few` candidates `name` may have meant, by the rule of [`nearest`], nearest first.
pub(crate) fn nearest_few<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>, few: usize) -> Vec<&'a str> {
    let wanted = name.to_ascii_lowercase();
    let mut near: Vec<(usize, f64, &str)> = candidates
        .into_iter()
        .map(|candidate| {
            let lower = candidate.to_ascii_lowercase();
            (strsim::damerau_levenshtein(&wanted, &lower), strsim::jaro_winkler(&wanted, &lower), candidate)
        })
        .filter(|(distance, similarity, _)| *distance <= (wanted.len() / 3).max(1) || *similarity >= 0.85)
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
}
