//! Every diagnostic code meshedge has, with its severity: the list `docs/errors.md` documents
//! (a test holds the two to each other, both ways). Codes are named here and used only by the
//! typed errors of the stages, each variant with its own.

use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($($code:ident $severity:ident),* $(,)?) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($code),*
        }

        impl Code {
            /// Every code.
            pub const ALL: &[Code] = &[$(Code::$code),*];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => stringify!($code)),*
                }
            }

            pub const fn severity(self) -> Severity {
                match self {
                    $(Code::$code => Severity::$severity),*
                }
            }
        }
    };
}

codes! {
    // Reading the repository.
    E100 Error, E101 Error, E102 Error, E103 Error, E104 Error, E105 Error, E106 Error, E110 Error,
    E113 Error, E114 Error, E115 Error,
    // Layers.
    E201 Error, E202 Error, E203 Error, E204 Error, W205 Warning, W206 Warning,
    // Merging.
    E301 Error, W302 Warning, E303 Error, E304 Error, E305 Error, E306 Error, E307 Error, E308 Error,
    E309 Error,
    // Requests.
    E401 Error, E402 Error, E403 Error, E404 Error, E405 Error, E406 Error, E407 Error, E408 Error,
    E409 Error, E410 Error, E411 Error, E412 Error, E413 Error, E414 Error, E415 Error, E416 Error,
    E417 Error, E418 Error, E420 Error, E421 Error, E422 Error, E423 Error, E424 Error, E425 Error,
    E426 Error, E427 Error, E428 Error, E429 Error, E430 Error, E431 Error, E439 Error, E440 Error, E441 Error, E442 Error, E443 Error,
    E444 Error, E445 Error, E446 Error, E447 Error, E448 Error, E449 Error,
    E436 Error, E437 Error, E438 Error, E482 Error, E483 Error, E484 Error,
    W432 Warning, W434 Warning, W435 Warning,
    // The target platform.
    E450 Error, E451 Error, E452 Error, E453 Error, E454 Error, E455 Error, E456 Error, E457 Error, E458 Error,
    W436 Warning,
    // Gateway extensions.
    E460 Error, E461 Error, E462 Error, E463 Error, E464 Error, W439 Warning,
    // Federation.
    E470 Error, E471 Error, E472 Error, E473 Error, E474 Error, E475 Error, E476 Error, E477 Error, E478 Error, E479 Error, E480 Error, E481 Error,
    // Patches.
    E501 Error, E502 Error, E503 Error, E504 Error, E505 Error,
    // Analyses of the final objects.
    A601 Error, A602 Warning, A603 Error, A604 Error, A605 Error, A606 Warning, A607 Error,
    A608 Warning, A609 Warning, A610 Error, A611 Error, A612 Error, A613 Warning, A614 Error,
    A615 Warning, A616 Error, A617 Warning, A618 Warning, A619 Warning, A620 Warning, A621 Warning,
    // Check: schemas and suppression.
    E701 Error, W702 Warning, W703 Warning, W704 Warning,
    // Final objects the cluster would refuse.
    E704 Error, E705 Error, E706 Error, E707 Error,
    // Flows.
    E801 Error, E802 Error,
    // Usage.
    E901 Error, E902 Error, E903 Error, E904 Error, E905 Error, E906 Error, E907 Error, E908 Error, E909 Error,
    E910 Error, E911 Error, E912 Error, E913 Error, W903 Warning,
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Codes sort as their text does.
impl Ord for Code {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}
