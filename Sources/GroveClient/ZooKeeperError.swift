import ZooKeeperWire

/// Why a GroveClient operation failed: the one error enum of the `GroveClient` module.
///
/// Every case maps to one of ZooKeeper's `ErrorCode`s through `code`, so code written against
/// ZooKeeper's exceptions carries over. `connectionLoss` means the outcome is unknown: the
/// request may or may not have been applied, and the client never retries it by itself.
public enum ZooKeeperError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The server answered the request with `code` (`noNode`, `nodeExists`, `badVersion`, ...);
  /// `path` is the client-side path the request named, when it named one.
  case server(ErrorCode, path: String?)
  /// The connection broke while the request was outstanding (or before it could be sent):
  /// the outcome is unknown.
  case connectionLoss
  /// The session expired: its ephemerals are gone and this client can do nothing more.
  case sessionExpired
  /// The client was closed by its owner.
  case sessionClosed
  /// The server rejected the credentials given to `addAuth`; the session is unusable.
  case authFailed
  /// Rejected before sending: the path breaks ZooKeeper's path rules (`reason` is
  /// ZooKeeper's wording).
  case invalidPath(path: String, reason: String)
  /// Rejected before sending: the request's frame would be `bytes` long, above the server's
  /// `jute.maxbuffer` of `limitBytes`.
  case requestTooLarge(bytes: Int, limitBytes: Int)
  /// Rejected before sending: an argument no server accepts (a TTL out of range, an empty
  /// transaction, an unparsable connect string, ...).
  case invalidArgument(String)
  /// No server in the connect string answered within the connect timeout.
  case connectTimeout
  /// The task waiting for the result was cancelled (the request itself may still apply).
  case cancelled

  /// The ZooKeeper code this error corresponds to (`KeeperException.Code`).
  public var code: ErrorCode {
    switch self {
    case .server(let code, _): return code
    case .connectionLoss, .connectTimeout: return .connectionLoss
    case .cancelled: return .operationTimeout
    case .sessionExpired, .sessionClosed: return .sessionExpired
    case .authFailed: return .authFailed
    case .invalidPath, .requestTooLarge, .invalidArgument: return .badArguments
    }
  }

  /// The same error naming `path`, for server errors that did not carry one.
  func naming(_ path: String) -> ZooKeeperError {
    if case .server(let code, nil) = self { return .server(code, path: path) }
    return self
  }

  /// A sentence for people, in ZooKeeper's terms: "node /a does not exist".
  public var description: String {
    switch self {
    case .server(let code, let path):
      guard let path else { return code.description }
      switch code {
      case .noNode: return "node \(path) does not exist"
      case .nodeExists: return "node \(path) already exists"
      case .notEmpty: return "node \(path) has children"
      case .badVersion: return "version mismatch for \(path)"
      case .noAuth: return "not authorized for \(path)"
      case .noChildrenForEphemerals: return "ephemeral node cannot have children: \(path)"
      default: return "\(code) (\(path))"
      }
    case .connectionLoss: return "connection loss (the outcome of the request is unknown)"
    case .sessionExpired: return "session expired"
    case .sessionClosed: return "session closed"
    case .authFailed: return "authentication failed"
    case .invalidPath(let path, let reason): return "invalid path '\(path)': \(reason)"
    case .requestTooLarge(let bytes, let limit):
      return "request of \(bytes) bytes exceeds the server's limit of \(limit) bytes"
    case .invalidArgument(let text): return text
    case .connectTimeout: return "could not connect to any server"
    case .cancelled: return "cancelled while waiting"
    }
  }
}
