//! What the flows stage finds ([`FlowError`]): a requested flow that does not get through, or a
//! flow no request opened that does.

use crate::diagnostic::{Code, Explain};

#[derive(Debug, Clone)]
pub enum FlowError {
    /// A requested flow is blocked: the flow, the deciding objects and why.
    RequestedBlocked { flow: String, objects: String, reason: String },
    /// A requested ingress flow reaches another backend than the request's.
    Misrouted { flow: String, reached: String, objects: String },
    /// A flow no request opened is open.
    UnrequestedOpen { flow: String, objects: String, reason: String },
}

impl Explain for FlowError {
    fn code(&self) -> Code {
        match self {
            FlowError::RequestedBlocked { .. } | FlowError::Misrouted { .. } => Code::E801,
            FlowError::UnrequestedOpen { .. } => Code::E802,
        }
    }

    fn message(&self) -> String {
        match self {
            FlowError::RequestedBlocked { flow, objects, reason } => {
                format!("requested flow {flow} is blocked by {objects} ({reason})")
            }
            FlowError::Misrouted { flow, reached, objects } => {
                format!("requested flow {flow} reaches {reached} instead (decided by {objects})")
            }
            FlowError::UnrequestedOpen { flow, objects, reason } => {
                format!("flow {flow} is open but no request opened it (decided by {objects}; {reason})")
            }
        }
    }

    fn help(&self) -> Option<String> {
        Some(
            match self {
                FlowError::RequestedBlocked { .. } => {
                    "the objects named block what the request asks for: change or remove them (a plain resource \
                     or a patch), or drop the request; `meshedge flows ENV` shows every flow and its verdict"
                }
                FlowError::Misrouted { .. } => {
                    "another route or VirtualService takes the path first: `meshedge flows ENV` shows the flow"
                }
                FlowError::UnrequestedOpen { .. } => {
                    "the objects named let through traffic nobody requested: restrict them, or request the flow; \
                     `meshedge flows ENV` shows every flow and its verdict"
                }
            }
            .into(),
        )
    }
}
