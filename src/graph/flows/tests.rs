//! The hidden flows walked in groups draw what visiting each of them draws, in linear time.

use super::*;

/// Groups to `h<i>.example:443`: every `other`-th one not a plain block (an open flow), and
/// each left out by the namespaces `except` gives it.
fn groups<'a>(n: usize, other: usize, except: &'a [BTreeSet<String>]) -> Vec<HiddenEdge<'a>> {
    (0..n)
        .map(|i| {
            let kind = if other > 0 && i % other == 0 { EdgeKind::OpenButNotRequested } else { EdgeKind::Blocked };
            let line = if kind == EdgeKind::Blocked { Line::Dashed } else { Line::Solid };
            HiddenEdge {
                target: format!("h{i}.example:443"),
                label: "blocked on port 443".into(),
                kind,
                line,
                except: &except[i % except.len()],
            }
        })
        .collect()
}

/// What `hidden_of` does for every namespace, done the long way: each group one by one.
fn each_one(namespaces: &[String], groups: &[HiddenEdge<'_>]) -> Egress {
    let mut egress = Egress::default();
    for ns in namespaces {
        for group in groups.iter().filter(|g| !g.except.contains(ns)) {
            egress.keep(ns, &group.target, &group.label, group.kind, group.line);
        }
    }
    egress
}

fn walked(namespaces: &[String], groups: &[HiddenEdge<'_>]) -> Egress {
    let mut next_other = vec![groups.len(); groups.len() + 1];
    for i in (0..groups.len()).rev() {
        next_other[i] = if groups[i].plain() { next_other[i + 1] } else { i };
    }
    let plain_total = groups.iter().filter(|g| g.plain()).count();
    let mut egress = Egress::default();
    let mut plain_except: BTreeMap<&str, usize> = BTreeMap::new();
    for group in groups.iter().filter(|g| g.plain()) {
        for ns in group.except {
            *plain_except.entry(ns.as_str()).or_default() += 1;
        }
    }
    for ns in namespaces {
        let except = plain_except.get(ns.as_str()).copied().unwrap_or(0);
        hidden_of(&mut egress, ns, groups, &next_other, plain_total, except);
    }
    egress
}

#[test]
fn hidden_flows_walked_in_groups_draw_what_each_one_draws() {
    let namespaces: Vec<String> = (0..40).map(|i| format!("ns{i}")).collect();
    let except: Vec<BTreeSet<String>> = vec![
        BTreeSet::new(),
        ["ns0", "ns1", "ns2"].map(String::from).into(),
        namespaces.iter().step_by(3).cloned().collect(),
    ];
    for (n, other) in [(0, 0), (2, 0), (7, 0), (30, 0), (30, 7), (30, 2), (200, 11)] {
        let groups = groups(n, other, &except);
        let (long, short) = (each_one(&namespaces, &groups), walked(&namespaces, &groups));
        assert_eq!(short.one_by_one, long.one_by_one, "{n} groups, every {other}th not plain");
        assert_eq!(short.unrequested, long.unrequested, "{n} groups, every {other}th not plain");
        assert_eq!(short.too_many, long.too_many, "{n} groups, every {other}th not plain");
    }
}

#[test]
fn hidden_flows_of_many_namespaces_and_hosts_cost_their_sum_not_their_product() {
    // 20,000 namespaces × 20,000 hosts: 400 million flows one by one.
    let namespaces: Vec<String> = (0..20_000).map(|i| format!("ns{i}")).collect();
    let except = [BTreeSet::new()];
    let groups = groups(20_000, 0, &except);
    let start = std::time::Instant::now();
    let egress = walked(&namespaces, &groups);
    assert!(start.elapsed() < std::time::Duration::from_secs(10), "{:?}", start.elapsed());
    assert_eq!(egress.unrequested.len(), 20_000);
    assert!(egress.unrequested.values().all(|count| *count == 20_000));
    assert_eq!(egress.one_by_one.len(), ONE_BY_ONE);
}
