//! Storage and credential faults as the codes clients see: a refusal keeps
//! its meaning; anything else is logged here and surfaces as `Internal`.

use courier_protocol::ErrorCode;

use super::auth::AuthError;
use super::db::StoreError;

/// What a feature's action returns.
pub type Result<T> = std::result::Result<T, ErrorCode>;

impl From<StoreError> for ErrorCode {
    fn from(e: StoreError) -> ErrorCode {
        match e {
            StoreError::UsernameTaken => ErrorCode::UsernameTaken,
            StoreError::NotGuest => ErrorCode::AlreadyAccount,
            StoreError::NotMember => ErrorCode::NotMember,
            StoreError::NotAllowed => ErrorCode::NotAllowed,
            StoreError::SlowMode => ErrorCode::SlowMode,
            StoreError::Banned => ErrorCode::Banned,
            StoreError::BadInvite => ErrorCode::BadInvite,
            StoreError::InviteExpired => ErrorCode::InviteExpired,
            StoreError::InviteRevoked => ErrorCode::InviteRevoked,
            StoreError::InviteUsedUp => ErrorCode::InviteUsedUp,
            StoreError::HandleTaken => ErrorCode::HandleTaken,
            StoreError::BadTarget => ErrorCode::BadTarget,
            StoreError::TooMany => ErrorCode::TooMany,
            StoreError::Blocked => ErrorCode::Blocked,
            StoreError::TooBroad => ErrorCode::TooBroad,
            StoreError::QuotaExceeded => ErrorCode::QuotaExceeded,
            StoreError::InCall => ErrorCode::InCall,
            other => {
                tracing::error!(error = %other, "store");
                ErrorCode::Internal
            }
        }
    }
}

impl From<AuthError> for ErrorCode {
    fn from(e: AuthError) -> ErrorCode {
        if let AuthError::Busy = e {
            return ErrorCode::SlowDown;
        }
        tracing::error!(error = %e, "auth");
        ErrorCode::Internal
    }
}
