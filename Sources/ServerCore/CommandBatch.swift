import DataTree
import ZooKeeperWire

/// The payload of a Raft entry: the commands a leader batched in one loop turn.
///
/// Layout (version 1): a version byte, an int32 count, then per command an int32 length and the
/// command's own encoding. An empty payload is a leader's no-op and carries no command.
///
/// Each command gets its own zxid: the entry's index shifted left by `positionBits`, plus its
/// position in the batch. zxids stay strictly increasing across entries (gaps allowed, as
/// DESIGN.md says), and no two changes share one, which ZooKeeper clients rely on when they
/// compare mzxid or pzxid with the last zxid they saw (setWatches).
public enum CommandBatch {
  public static let version: UInt8 = 1
  public static let positionBits = 16
  public static let commandsMax = 1 << positionBits

  public static func encode(_ commands: [Command]) -> [UInt8] {
    precondition(commands.count < commandsMax, "batch over \(commandsMax) commands")
    var w = JuteWriter(reservingCapacity: 64 * commands.count + 8)
    w.writeByte(version)
    w.writeInt32(Int32(commands.count))
    for command in commands {
      let lengthAt = w.count
      w.writeInt32(0)
      command.encode(to: &w)
      w.patchInt32(Int32(w.count - lengthAt - 4), at: lengthAt)
    }
    return w.takeBytes()
  }

  /// Why a batch could not be read. A committed entry that does not decode means the log holds
  /// bytes no Grove wrote: the node must stop rather than diverge from its peers.
  public enum DecodeError: Error, Equatable, Sendable {
    case unknownVersion(UInt8)
    case malformed(String)
  }

  public static func decode(_ bytes: [UInt8]) throws(DecodeError) -> [Command] {
    if bytes.isEmpty { return [] }
    var r = JuteReader(bytes, lengthBound: Int(Int32.max))
    do {
      let v = try r.readByte()
      guard v == version else { throw DecodeError.unknownVersion(v) }
      let count = try r.readCount(minElementBytes: 4)
      var commands: [Command] = []
      commands.reserveCapacity(count)
      for _ in 0..<count {
        let length = Int(try r.readInt32())
        guard length >= 0, length <= r.remaining else { throw DecodeError.malformed("command length \(length)") }
        let start = r.offset
        commands.append(try Command(from: &r))
        guard r.offset - start == length else { throw DecodeError.malformed("command of \(length) bytes read as \(r.offset - start)") }
      }
      try r.expectEnd()
      return commands
    } catch let error as DecodeError {
      throw error
    } catch {
      throw .malformed("\(error)")
    }
  }

  /// The zxid of the command at `position` in the entry at `index`.
  public static func zxid(index: UInt64, position: Int) -> Zxid {
    Zxid(Int64(bitPattern: index << UInt64(positionBits)) | Int64(position))
  }

}
