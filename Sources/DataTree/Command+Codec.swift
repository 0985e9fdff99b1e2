import ZooKeeperWire

/// The versioned binary encoding of a `Command`, as it is stored in the Raft log.
///
/// Layout (jute primitives, big-endian): version byte (1), timeMs long, origin session long,
/// connection presence boolean and connection long, xid presence boolean and xid int, vector of
/// auth ids, operation tag byte, operation fields.
/// Decoding is bounded by the reader and never traps; a new layout gets a new version byte and
/// this decoder keeps reading the old ones.
extension Command {
  /// The format version `encode` writes.
  public static let encodingVersion: UInt8 = 1

  /// The command's encoding alone.
  public func encoded() -> [UInt8] {
    var writer = JuteWriter(reservingCapacity: 64)
    encode(to: &writer)
    return writer.bytes
  }

  /// Appends the command's encoding (several commands may share one log entry).
  public func encode(to w: inout JuteWriter) {
    w.writeByte(Command.encodingVersion)
    w.writeInt64(timeMs)
    w.writeInt64(origin.session.rawValue)
    w.writeBool(origin.connection != nil)
    w.writeInt64(Int64(bitPattern: origin.connection ?? 0))
    w.writeBool(origin.xid != nil)
    w.writeInt32(origin.xid?.rawValue ?? 0)
    w.writeVector(origin.authIds)
    switch operation {
    case .createSession(let id, let password, let timeoutMs):
      w.writeByte(OperationTag.createSession)
      w.writeInt64(id.rawValue)
      w.writeBuffer(password)
      w.writeInt32(timeoutMs)
    case .closeSession(let id):
      w.writeByte(OperationTag.closeSession)
      w.writeInt64(id.rawValue)
    case .create(let request):
      w.writeByte(OperationTag.create)
      request.encode(to: &w)
    case .delete(let path, let version):
      w.writeByte(OperationTag.delete)
      w.writeString(path)
      w.writeInt32(version)
    case .setData(let path, let data, let version):
      w.writeByte(OperationTag.setData)
      w.writeString(path)
      w.writeBuffer(data)
      w.writeInt32(version)
    case .setACL(let path, let acl, let version):
      w.writeByte(OperationTag.setACL)
      w.writeString(path)
      w.writeVector(acl)
      w.writeInt32(version)
    case .check(let path, let version):
      w.writeByte(OperationTag.check)
      w.writeString(path)
      w.writeInt32(version)
    case .multi(let operations):
      w.writeByte(OperationTag.multi)
      w.writeInt32(Int32(operations.count))
      for operation in operations { operation.encode(to: &w) }
    case .deleteContainer(let path):
      w.writeByte(OperationTag.deleteContainer)
      w.writeString(path)
    case .deleteExpiredTTL(let path):
      w.writeByte(OperationTag.deleteExpiredTTL)
      w.writeString(path)
    case .reconfig(let data):
      w.writeByte(OperationTag.reconfig)
      w.writeBuffer(data)
    }
  }

  /// Decodes a buffer holding exactly one command. Lengths are bounded by the buffer itself,
  /// not by `jute.maxbuffer`: whatever the leader accepted and logged must decode everywhere.
  public init(decoding bytes: [UInt8]) throws(DataTreeError) {
    var reader = JuteReader(bytes, lengthBound: bytes.count)
    try self.init(from: &reader)
    if !reader.isAtEnd { throw .trailingBytes(reader.remaining) }
  }

  /// Decodes one command from `r`, leaving it after the command. Give `r` a length bound no
  /// smaller than the entry (see `init(decoding:)`).
  public init(from r: inout JuteReader) throws(DataTreeError) {
    do {
      let version = try r.readByte()
      guard version == 1 else { throw DataTreeError.unsupportedCommandVersion(version) }
      timeMs = try r.readInt64()
      let session = SessionID(try r.readInt64())
      let hasConnection = try r.readBool()
      let connection = UInt64(bitPattern: try r.readInt64())
      let hasXid = try r.readBool()
      let xid = try r.readInt32()
      let ids = try r.readVector(of: Id.self, minElementBytes: 8)
      origin = Origin(
        session: session, connection: hasConnection ? connection : nil, xid: hasXid ? Xid(xid) : nil, authIds: ids)
      let tag = try r.readByte()
      switch tag {
      case OperationTag.createSession:
        let id = SessionID(try r.readInt64())
        let password = try r.readBuffer()
        operation = .createSession(id, password: password, timeoutMs: try r.readInt32())
      case OperationTag.closeSession:
        operation = .closeSession(SessionID(try r.readInt64()))
      case OperationTag.create:
        operation = .create(try CreateOperation(from: &r))
      case OperationTag.delete:
        operation = .delete(path: try r.readString(), version: try r.readInt32())
      case OperationTag.setData:
        operation = .setData(path: try r.readString(), data: try r.readBuffer(), version: try r.readInt32())
      case OperationTag.setACL:
        let path = try r.readString()
        let acl = try r.readVector(of: ACL.self, minElementBytes: ACL.minEncodedBytes)
        operation = .setACL(path: path, acl: acl, version: try r.readInt32())
      case OperationTag.check:
        operation = .check(path: try r.readString(), version: try r.readInt32())
      case OperationTag.multi:
        let count = try r.readCount(minElementBytes: 9)
        var operations: [MultiOperation] = []
        operations.reserveCapacity(count)
        for _ in 0..<count { operations.append(try MultiOperation(from: &r)) }
        operation = .multi(operations)
      case OperationTag.deleteContainer:
        operation = .deleteContainer(path: try r.readString())
      case OperationTag.deleteExpiredTTL:
        operation = .deleteExpiredTTL(path: try r.readString())
      case OperationTag.reconfig:
        operation = .reconfig(data: try r.readBuffer())
      default:
        throw DataTreeError.unknownOperationTag(tag)
      }
    } catch let error as DataTreeError {
      throw error
    } catch let error as JuteError {
      throw .malformed(error)
    } catch {
      preconditionFailure("unexpected error \(error)")
    }
  }
}

/// Operation tags of format version 1. Never renumber: old log entries keep them.
enum OperationTag {
  static let createSession: UInt8 = 1
  static let closeSession: UInt8 = 2
  static let create: UInt8 = 3
  static let delete: UInt8 = 4
  static let setData: UInt8 = 5
  static let setACL: UInt8 = 6
  static let check: UInt8 = 7
  static let multi: UInt8 = 8
  static let deleteContainer: UInt8 = 9
  static let deleteExpiredTTL: UInt8 = 10
  static let reconfig: UInt8 = 11
}

extension CreateOperation {
  func encode(to w: inout JuteWriter) {
    w.writeString(path)
    w.writeBuffer(data)
    w.writeVector(acl)
    w.writeInt32(flags)
    w.writeInt64(ttlMs)
    w.writeInt32(opCode.rawValue)
  }

  init(from r: inout JuteReader) throws(DataTreeError) {
    do {
      path = try r.readString()
      data = try r.readBuffer()
      acl = try r.readVector(of: ACL.self, minElementBytes: ACL.minEncodedBytes)
      flags = try r.readInt32()
      ttlMs = try r.readInt64()
      let code = try r.readInt32()
      guard let op = OpCode(rawValue: code), [.create, .create2, .createContainer, .createTTL].contains(op) else {
        throw DataTreeError.invalidCreateOpCode(code)
      }
      opCode = op
    } catch let error as DataTreeError {
      throw error
    } catch let error as JuteError {
      throw .malformed(error)
    } catch {
      preconditionFailure("unexpected error \(error)")
    }
  }
}

extension MultiOperation {
  func encode(to w: inout JuteWriter) {
    switch self {
    case .create(let request):
      w.writeByte(1)
      request.encode(to: &w)
    case .delete(let path, let version):
      w.writeByte(2)
      w.writeString(path)
      w.writeInt32(version)
    case .setData(let path, let data, let version):
      w.writeByte(3)
      w.writeString(path)
      w.writeBuffer(data)
      w.writeInt32(version)
    case .check(let path, let version):
      w.writeByte(4)
      w.writeString(path)
      w.writeInt32(version)
    }
  }

  init(from r: inout JuteReader) throws(DataTreeError) {
    do {
      let tag = try r.readByte()
      switch tag {
      case 1: self = .create(try CreateOperation(from: &r))
      case 2: self = .delete(path: try r.readString(), version: try r.readInt32())
      case 3: self = .setData(path: try r.readString(), data: try r.readBuffer(), version: try r.readInt32())
      case 4: self = .check(path: try r.readString(), version: try r.readInt32())
      default: throw DataTreeError.unknownOperationTag(tag)
      }
    } catch let error as DataTreeError {
      throw error
    } catch let error as JuteError {
      throw .malformed(error)
    } catch {
      preconditionFailure("unexpected error \(error)")
    }
  }
}
