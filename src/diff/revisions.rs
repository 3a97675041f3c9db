//! The two revisions a diff compares: the base from git, the head from git or the work tree.

use std::path::{Path, PathBuf};

use crate::diff::compare::compare;
use crate::diff::report::{Report, WORK_TREE};
use crate::error::{Error, Trouble, UsageError};
use crate::layers::layout::all_environments;
use crate::locate;
use crate::source::{FsSource, GitSource, Source, Tree};

/// The base and head revisions of one repository.
pub struct Revisions {
    /// The repository root (where environments are looked for).
    pub root: PathBuf,
    /// The base revision, as given.
    base_label: String,
    base: GitSource,
    /// The head revision, as given (`None`: the work tree).
    head_label: Option<String>,
    head: Head,
}

enum Head {
    Git(GitSource),
    WorkTree(FsSource),
}

impl Revisions {
    /// Opens the git repository of the root (`root`, or found from `cwd`) at `base`, and at `head`
    /// or its work tree.
    pub fn open(root: Option<&Path>, cwd: &Path, base: &str, head: Option<&str>) -> Result<Revisions, Error> {
        let root = locate::find_root(root, cwd, None);
        let repo = git2::Repository::discover(&root)
            .map_err(|_| Error::Usage(UsageError::NotInGit { root: root.clone() }.report().into()))?;
        let git_dir = repo.path().to_path_buf();
        let prefix = match repo.workdir() {
            Some(work_tree) => locate::relative_to_root(work_tree, &root)
                .ok_or_else(|| Trouble::OutsideWorkTree { root: root.clone(), work_tree: work_tree.to_path_buf() })?,
            None if head.is_some() => String::new(),
            None => return Err(Trouble::BareRepository.into()),
        };
        let branches = branches(&repo);
        let unknown = |revision: &str, e: git2::Error| {
            let (revision, message) = (revision.to_string(), e.message().to_string());
            Error::Usage(UsageError::UnknownRevision { revision, message, branches: branches.clone() }.report().into())
        };
        let base_source = GitSource::from_repository(repo, base, &prefix).map_err(|e| unknown(base, e))?;
        let head_source = match head {
            Some(rev) => Head::Git(GitSource::open(&git_dir, rev, &prefix).map_err(|e| unknown(rev, e))?),
            None => Head::WorkTree(FsSource::new(&root)),
        };
        Ok(Revisions {
            root,
            base_label: base.to_string(),
            base: base_source,
            head_label: head.map(str::to_string),
            head: head_source,
        })
    }

    fn head(&self) -> &dyn Source {
        match &self.head {
            Head::Git(git) => git,
            Head::WorkTree(work_tree) => work_tree,
        }
    }

    /// Every environment found at either revision.
    pub fn all_environments(&self) -> Vec<String> {
        all_environments(&[&self.base, self.head()])
    }

    /// The environments `args` name (paths or names, from `cwd`), each found at the head or
    /// else at the base; an unknown one is a usage error.
    pub fn environments(&self, cwd: &Path, args: &[String]) -> Result<Vec<String>, Error> {
        let mut dirs = Vec::new();
        for arg in args {
            let found = locate::find_environment(&Tree::new(self.head()), &self.root, cwd, arg)
                .or_else(|_| locate::find_environment(&Tree::new(&self.base), &self.root, cwd, arg))
                .map_err(|d| Error::Usage(d.into()))?;
            if !dirs.contains(&found) {
                dirs.push(found);
            }
        }
        Ok(dirs)
    }

    /// Compares the environments at `env_dirs` between the revisions.
    pub fn compare(&self, env_dirs: &[String]) -> Report {
        Report {
            base: self.base_label.clone(),
            base_commit: self.base.commit_id().map(str::to_string),
            head: self.head_label.clone().unwrap_or_else(|| WORK_TREE.to_string()),
            head_commit: match &self.head {
                Head::Git(git) => git.commit_id().map(str::to_string),
                Head::WorkTree(_) => None,
            },
            environments: compare(&self.base, self.head(), env_dirs),
        }
    }
}

/// The local and remote-tracking branches of `repo` (at most 10, sorted), for a help line.
fn branches(repo: &git2::Repository) -> Vec<String> {
    let mut names: Vec<String> = repo
        .branches(None)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|(branch, _)| branch.name().ok().flatten().map(str::to_string))
        .collect();
    names.sort();
    names.truncate(10);
    names
}
