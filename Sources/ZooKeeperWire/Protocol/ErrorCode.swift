/// ZooKeeper's result codes (`KeeperException.Code`); raw values are the wire values.
///
/// Outcomes of operations are values of this type, not Swift errors: a `nodeExists` is an
/// ordinary answer that the data tree computes deterministically.
public enum ErrorCode: Int32, Error, Sendable, CaseIterable, CustomStringConvertible {
  case ok = 0
  case systemError = -1
  case runtimeInconsistency = -2
  case dataInconsistency = -3
  case connectionLoss = -4
  case marshallingError = -5
  case unimplemented = -6
  case operationTimeout = -7
  case badArguments = -8
  case unknownSession = -12
  case newConfigNoQuorum = -13
  case reconfigInProgress = -14
  case apiError = -100
  case noNode = -101
  case noAuth = -102
  case badVersion = -103
  case noChildrenForEphemerals = -108
  case nodeExists = -110
  case notEmpty = -111
  case sessionExpired = -112
  case invalidCallback = -113
  case invalidACL = -114
  case authFailed = -115
  case sessionMoved = -118
  case notReadOnly = -119
  case ephemeralOnLocalSession = -120
  case noWatcher = -121
  case requestTimeout = -122
  case reconfigDisabled = -123
  case sessionClosedRequireSASLAuth = -124
  case quotaExceeded = -125
  case throttledOp = -127

  /// ZooKeeper's own wording (`KeeperException.Code` messages), for logs and the CLI.
  public var description: String {
    switch self {
    case .ok: return "ok"
    case .systemError: return "system error"
    case .runtimeInconsistency: return "runtime inconsistency"
    case .dataInconsistency: return "data inconsistency"
    case .connectionLoss: return "connection loss"
    case .marshallingError: return "marshalling error"
    case .unimplemented: return "unimplemented"
    case .operationTimeout: return "operation timeout"
    case .badArguments: return "bad arguments"
    case .unknownSession: return "unknown session"
    case .newConfigNoQuorum: return "no quorum of new config is connected and up-to-date"
    case .reconfigInProgress: return "another reconfiguration is in progress"
    case .apiError: return "api error"
    case .noNode: return "no node"
    case .noAuth: return "not authenticated"
    case .badVersion: return "bad version"
    case .noChildrenForEphemerals: return "ephemeral nodes may not have children"
    case .nodeExists: return "node exists"
    case .notEmpty: return "directory not empty"
    case .sessionExpired: return "session expired"
    case .invalidCallback: return "invalid callback"
    case .invalidACL: return "invalid ACL"
    case .authFailed: return "auth failed"
    case .sessionMoved: return "session moved"
    case .notReadOnly: return "not a read-only call"
    case .ephemeralOnLocalSession: return "ephemeral node on local session"
    case .noWatcher: return "no watcher"
    case .requestTimeout: return "request timeout"
    case .reconfigDisabled: return "reconfig is disabled"
    case .sessionClosedRequireSASLAuth: return "session closed because client failed to authenticate"
    case .quotaExceeded: return "quota has exceeded"
    case .throttledOp: return "op throttled due to high load"
    }
  }
}
