//! Tests of sources and the rules they share.

use crate::source::*;

#[test]
fn join_is_lexical_and_contained() {
    assert_eq!(join("environments/prod", "../../base"), Ok("base".to_string()));
    assert_eq!(join("", "./a/./b/"), Ok("a/b".to_string()));
    assert_eq!(join("a", "../../etc"), Err("../etc".to_string()));
    assert!(join("a", "/etc/passwd").is_err());
}

#[cfg(unix)]
#[test]
fn symlinks_are_followed_inside_the_root_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    std::fs::create_dir_all(root.join("a/b")).unwrap();
    std::fs::create_dir_all(root.join("c")).unwrap();
    std::fs::write(root.join("a/b/x.yaml"), "x: 1").unwrap();
    std::fs::write(root.join("c/y.yaml"), "y: 1").unwrap();
    std::fs::write(dir.path().join("secret.yaml"), "s: 1").unwrap();
    std::os::unix::fs::symlink("../c", root.join("a/shared")).unwrap();
    let source = FsSource::new(&root);
    let tree = Tree::new(&source);
    let files: Vec<(String, String)> = tree.walk("a").unwrap().into_iter().map(|f| (f.path, f.physical)).collect();
    let expected = [("a/b/x.yaml", "a/b/x.yaml"), ("a/shared/y.yaml", "c/y.yaml")];
    assert_eq!(files, expected.map(|(p, q)| (p.to_string(), q.to_string())));

    // A second path to a directory or a file already reached is an error naming both; the
    // first path in walk order (level by level, by name) is the one that counts.
    std::os::unix::fs::symlink("b", root.join("a/link")).unwrap();
    assert_eq!(tree.read_to_string("a/link/x.yaml").unwrap(), "x: 1");
    assert_eq!(
        tree.walk("a"),
        Err(SourceError::ReachedTwice { path: "a/link".into(), first: "a/b".into() }),
        "`a/b` comes first by name"
    );
    std::fs::remove_file(root.join("a/link")).unwrap();
    std::os::unix::fs::symlink("b/x.yaml", root.join("a/again.yaml")).unwrap();
    assert_eq!(
        tree.walk("a"),
        Err(SourceError::ReachedTwice { path: "a/b/x.yaml".into(), first: "a/again.yaml".into() }),
        "`a/again.yaml` is one level up, so first"
    );
    std::fs::remove_file(root.join("a/again.yaml")).unwrap();

    std::os::unix::fs::symlink("../../secret.yaml", root.join("a/out.yaml")).unwrap();
    assert!(matches!(tree.walk("a"), Err(SourceError::Escapes { .. })));
    assert!(matches!(tree.read_to_string("a/out.yaml"), Err(SourceError::Escapes { .. })));
}

#[cfg(unix)]
#[test]
fn a_web_of_symlinks_is_walked_once_per_directory() {
    // Level i links twice to level i + 1: 2^40 paths, 41 directories.
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().join("fan");
    for i in 0..=40 {
        std::fs::create_dir_all(top.join(format!("n{i}"))).unwrap();
    }
    for i in 0..40 {
        for j in 0..2 {
            std::os::unix::fs::symlink(format!("../n{}", i + 1), top.join(format!("n{i}/l{j}"))).unwrap();
        }
    }
    std::fs::write(top.join("n40/leaf.yaml"), "").unwrap();
    let source = FsSource::new(dir.path());
    // Walked path by path, this would not end.
    let err = Tree::new(&source).walk("fan").unwrap_err();
    assert_eq!(err, SourceError::ReachedTwice { path: "fan/n0/l0".into(), first: "fan/n1".into() });
    // Only the links: still one path per directory, and each is an error past the first.
    std::fs::remove_dir_all(&top).unwrap();
    std::fs::create_dir_all(top.join("n0")).unwrap();
    std::fs::create_dir_all(dir.path().join("n1")).unwrap();
    std::os::unix::fs::symlink("../../n1", top.join("n0/l0")).unwrap();
    std::os::unix::fs::symlink("../../n1", top.join("n0/l1")).unwrap();
    let err = Tree::new(&source).walk("fan").unwrap_err();
    assert_eq!(err, SourceError::ReachedTwice { path: "fan/n0/l1".into(), first: "fan/n0/l0".into() });
}

#[cfg(unix)]
#[test]
fn hidden_entries_are_skipped_and_loops_stop() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("d/.git")).unwrap();
    std::fs::write(root.join("d/.git/x.yaml"), "").unwrap();
    std::fs::write(root.join("d/.hidden.yaml"), "").unwrap();
    std::os::unix::fs::symlink(".", root.join("d/self")).unwrap();
    let source = FsSource::new(root);
    assert!(matches!(Tree::new(&source).walk("d"), Err(SourceError::SymlinkLoop { .. })));
    std::fs::remove_file(root.join("d/self")).unwrap();
    std::fs::create_dir_all(root.join("d/e")).unwrap();
    std::os::unix::fs::symlink("..", root.join("d/e/up")).unwrap();
    assert_eq!(Tree::new(&source).walk("d"), Err(SourceError::SymlinkLoop { path: "d/e/up".into() }));
}

#[test]
fn a_file_over_the_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = std::fs::File::create(dir.path().join("big.yaml")).unwrap();
    file.set_len(MAX_FILE_BYTES + 1).unwrap();
    std::fs::write(dir.path().join("ok.yaml"), "a: 1").unwrap();
    let source = FsSource::new(dir.path());
    let tree = Tree::new(&source);
    let err = tree.read_to_string("big.yaml").unwrap_err();
    assert_eq!(err, SourceError::TooLarge { path: "big.yaml".into(), size: MAX_FILE_BYTES + 1, limit: MAX_FILE_BYTES });
    assert!(err.to_string().contains("over the limit of 8388608 bytes"), "{err}");
    assert_eq!(tree.read_to_string("ok.yaml").unwrap(), "a: 1");
    assert_eq!(tree.size("ok.yaml").unwrap(), 4);
    // Outside a tree: the same limit, and a total.
    let mut budget = 6;
    assert!(read_within(&source, "big.yaml", &mut budget).unwrap_err().to_string().contains("over the limit"));
    assert_eq!(read_within(&source, "ok.yaml", &mut budget).unwrap(), b"a: 1");
    assert_eq!(budget, 2);
    assert!(read_within(&source, "ok.yaml", &mut budget).unwrap_err().to_string().contains("in all"));
}
