/// One operation inside a multi (14) or multiRead (22) request.
///
/// Allowed in multi: create, create2, createContainer, createTTL, delete, setData, check.
/// Allowed in multiRead: getData, getChildren. `isRead` tells the two kinds apart.
public enum MultiOp: Hashable, Sendable {
  case create(CreateRequest)
  case create2(CreateRequest)
  case createContainer(CreateRequest)
  case createTTL(CreateTTLRequest)
  case delete(DeleteRequest)
  case setData(SetDataRequest)
  case check(CheckVersionRequest)
  case getData(GetDataRequest)
  case getChildren(GetChildrenRequest)

  /// The op code written in this op's MultiHeader.
  public var opCode: OpCode {
    switch self {
    case .create: return .create
    case .create2: return .create2
    case .createContainer: return .createContainer
    case .createTTL: return .createTTL
    case .delete: return .delete
    case .setData: return .setData
    case .check: return .check
    case .getData: return .getData
    case .getChildren: return .getChildren
    }
  }

  /// True for the ops of multiRead; false for those of multi.
  public var isRead: Bool {
    switch self {
    case .getData, .getChildren: return true
    default: return false
    }
  }

  /// The op's path.
  public var path: String {
    switch self {
    case .create(let r), .create2(let r), .createContainer(let r): return r.path
    case .createTTL(let r): return r.path
    case .delete(let r): return r.path
    case .setData(let r): return r.path
    case .check(let r): return r.path
    case .getData(let r): return r.path
    case .getChildren(let r): return r.path
    }
  }

  fileprivate func encodeRecord(to w: inout JuteWriter) {
    switch self {
    case .create(let r), .create2(let r), .createContainer(let r): r.encode(to: &w)
    case .createTTL(let r): r.encode(to: &w)
    case .delete(let r): r.encode(to: &w)
    case .setData(let r): r.encode(to: &w)
    case .check(let r): r.encode(to: &w)
    case .getData(let r): r.encode(to: &w)
    case .getChildren(let r): r.encode(to: &w)
    }
  }

  fileprivate static func decodeRecord(
    type: Int32, from r: inout JuteReader
  ) throws(JuteError) -> MultiOp {
    switch OpCode(rawValue: type) {
    case .create: return .create(try r.read())
    case .create2: return .create2(try r.read())
    case .createContainer: return .createContainer(try r.read())
    case .createTTL: return .createTTL(try r.read())
    case .delete: return .delete(try r.read())
    case .setData: return .setData(try r.read())
    case .check: return .check(try r.read())
    case .getData: return .getData(try r.read())
    case .getChildren: return .getChildren(try r.read())
    default: throw .unexpectedOpCode(type)
    }
  }
}

/// The body of multi (14) and multiRead (22) (`MultiOperationRecord`): each op preceded by
/// `MultiHeader{op code, false, -1}`, closed by `MultiHeader{-1, true, -1}`.
///
/// Decoding accepts any mix of the nine op kinds, as ZooKeeper's record parser; whether the
/// kinds fit the request's op code is checked by `ClientRequest` decoding.
public struct MultiRequest: Hashable, Sendable, JuteRecord {
  /// The operations, in order.
  public var ops: [MultiOp]

  /// A request with `ops` in order.
  public init(ops: [MultiOp]) { self.ops = ops }

  public init(from r: inout JuteReader) throws(JuteError) {
    var ops: [MultiOp] = []
    // Each turn consumes at least a 9-byte header, so the loop ends with the bytes.
    while true {
      let header = try r.read(MultiHeader.self)
      if header.done { break }
      ops.append(try MultiOp.decodeRecord(type: header.type, from: &r))
    }
    self.ops = ops
  }

  public func encode(to w: inout JuteWriter) {
    for op in ops {
      MultiHeader(type: op.opCode.rawValue, done: false, err: -1).encode(to: &w)
      op.encodeRecord(to: &w)
    }
    MultiHeader.end.encode(to: &w)
  }
}

/// One result inside a multi or multiRead reply.
public enum MultiResult: Hashable, Sendable {
  /// A create (1) that succeeded.
  case create(CreateResponse)
  /// A create2, createContainer or createTTL that succeeded (header type 15 for all three).
  case create2(Create2Response)
  /// A delete that succeeded (no record).
  case delete
  /// A setData that succeeded.
  case setData(SetDataResponse)
  /// A check that succeeded (no record).
  case check
  /// A getData of a multiRead.
  case getData(GetDataResponse)
  /// A getChildren of a multiRead.
  case getChildren(GetChildrenResponse)
  /// An op that failed or was rolled back: header type -1 and an ErrorResponse. In a failed
  /// multi every slot is an error: `.ok` before the failing op, its code, then
  /// `runtimeInconsistency`.
  case error(ErrorCode)

  /// The MultiHeader type of this result.
  public var headerType: Int32 {
    switch self {
    case .create: return OpCode.create.rawValue
    case .create2: return OpCode.create2.rawValue
    case .delete: return OpCode.delete.rawValue
    case .setData: return OpCode.setData.rawValue
    case .check: return OpCode.check.rawValue
    case .getData: return OpCode.getData.rawValue
    case .getChildren: return OpCode.getChildren.rawValue
    case .error: return OpCode.error.rawValue
    }
  }
}

/// The body of a multi or multiRead reply (`MultiResponse`): each result preceded by
/// `MultiHeader{type, false, err}`, closed by `MultiHeader{-1, true, -1}`.
public struct MultiResponse: Hashable, Sendable, JuteRecord {
  /// The results, one per op, in order.
  public var results: [MultiResult]

  /// A response with `results` in order.
  public init(results: [MultiResult]) { self.results = results }

  /// ZooKeeper's layout for a multi that failed at `failedIndex` with `error`: every slot is an
  /// error result, `.ok` before the failing op and `runtimeInconsistency` after it.
  public static func failure(opCount: Int, failedIndex: Int, error: ErrorCode) -> MultiResponse {
    precondition(failedIndex >= 0 && failedIndex < opCount, "failing op outside the multi")
    var results: [MultiResult] = []
    results.reserveCapacity(opCount)
    for index in 0..<opCount {
      if index < failedIndex {
        results.append(.error(.ok))
      } else if index == failedIndex {
        results.append(.error(error))
      } else {
        results.append(.error(.runtimeInconsistency))
      }
    }
    return MultiResponse(results: results)
  }

  public init(from r: inout JuteReader) throws(JuteError) {
    var results: [MultiResult] = []
    // Each turn consumes at least a 9-byte header, so the loop ends with the bytes.
    while true {
      let header = try r.read(MultiHeader.self)
      if header.done { break }
      switch OpCode(rawValue: header.type) {
      case .create: results.append(.create(try r.read()))
      case .create2: results.append(.create2(try r.read()))
      case .delete: results.append(.delete)
      case .setData: results.append(.setData(try r.read()))
      case .check: results.append(.check)
      case .getData: results.append(.getData(try r.read()))
      case .getChildren: results.append(.getChildren(try r.read()))
      case .error: results.append(.error(try r.read(ErrorResponse.self).err))
      default: throw .unexpectedOpCode(header.type)
      }
    }
    self.results = results
  }

  public func encode(to w: inout JuteWriter) {
    for result in results {
      var err: Int32 = 0
      if case .error(let code) = result { err = code.rawValue }
      MultiHeader(type: result.headerType, done: false, err: err).encode(to: &w)
      switch result {
      case .create(let r): r.encode(to: &w)
      case .create2(let r): r.encode(to: &w)
      case .setData(let r): r.encode(to: &w)
      case .getData(let r): r.encode(to: &w)
      case .getChildren(let r): r.encode(to: &w)
      case .error(let code): ErrorResponse(err: code).encode(to: &w)
      case .delete, .check: break
      }
    }
    MultiHeader.end.encode(to: &w)
  }
}
