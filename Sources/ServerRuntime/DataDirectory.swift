import DataTree
import Glibc
import Persistence
import RaftCore

/// A node's data directory opened for serving: the recovered Raft log and the tree restored
/// from its newest snapshot.
struct OpenedData {
  let log: DurableLog
  let tree: DataTree
  /// The index the tree reflects; Raft re-applies committed entries after it.
  let applied: LogIndex
}

/// Why a node will not start from its data directory.
public struct StartupError: Error, CustomStringConvertible {
  public var description: String
  init(_ description: String) { self.description = description }
}

enum DataDirectory {
  /// Where the write-ahead log and snapshots live: `dataLogDir` if set, else `dataDir/raft`.
  static func logDirectory(_ config: ServerConfig) -> String {
    config.dataLogDir ?? config.dataDir + "/raft"
  }

  /// This node's id: `grove.myid`, else the `myid` file in dataDir (ZooKeeper's convention), else
  /// 1 for a standalone server.
  static func nodeID(_ config: ServerConfig) throws(StartupError) -> NodeID {
    if let id = config.myID { return NodeID(id) }
    let path = config.dataDir + "/myid"
    if let text = readSmallFile(path) {
      let trimmed = text.filter { !$0.isWhitespace }
      guard let id = UInt64(trimmed), (1...254).contains(id) else {
        throw StartupError("\(path): '\(trimmed)' is not a server id in 1...254")
      }
      return NodeID(id)
    }
    if config.servers.count <= 1 { return NodeID(config.servers.first?.id ?? 1) }
    throw StartupError("no server id: set grove.myid or write it to \(path)")
  }

  /// Opens (creating on first start) the log, bootstrapping a new cluster's first membership, and
  /// restores the tree. Damage on disk refuses the start with the file and offset named.
  static func open(
    _ config: ServerConfig, nodeID: NodeID, voters: [NodeID], learners: [NodeID], log logger: Log
  ) throws(StartupError) -> OpenedData {
    let directory = logDirectory(config)
    do {
      try makeDirectories(config.dataDir)
      try makeDirectories(directory)
    } catch {
      throw StartupError("cannot create \(directory): \(error)")
    }
    let options = LogOptions(
      clusterID: clusterNumber(config.clusterID), nodeID: nodeID, cacheBytesMax: 8 << 20,
      snapshotWriteBytesPerSecond: config.snapshotWriteMBps << 20)
    let log: DurableLog
    var started = monotonicMs()
    do {
      log = try DurableLog(directory: directory, fileSystem: PosixFileSystem(), options: options)
    } catch {
      throw StartupError("cannot recover the log in \(directory): \(error)")
    }
    logger.info("recovered the log", ["dir": directory, "ms": String(monotonicMs() - started)])
    do {
      let empty = try log.lastIndex() == .zero && log.snapshotMetadata().index == .zero
      if empty && config.initialClusterNew {
        // A founding member: every founder starts from the same first membership at index 1.
        let confState = ConfState(voters: voters, learners: learners)
        let snapshot = Snapshot(metadata: SnapshotMetadata(index: LogIndex(1), term: Term(1), confState: confState))
        _ = try log.applySnapshot(snapshot)
        _ = try log.saveHardState(HardState(term: Term(1), vote: .none, commit: LogIndex(1)))
        try log.flush()
        logger.info("initialised a new log", ["dir": directory, "voters": voters.map(\.description).joined(separator: ",")])
      } else if empty {
        logger.warn(
          "empty data directory in an existing cluster: joining without voting until a leader's snapshot arrives",
          ["dir": directory])
      }
    } catch {
      throw StartupError("cannot initialise the log in \(directory): \(error)")
    }
    let snapshot: Snapshot
    started = monotonicMs()
    do {
      snapshot = try log.snapshot()
    } catch {
      throw StartupError("cannot read the snapshot in \(directory): \(error)")
    }
    let treeConfiguration = DataTree.Configuration(extendedTypesEnabled: config.extendedTypesEnabled)
    let tree: DataTree
    if snapshot.data.isEmpty {
      tree = DataTree(configuration: treeConfiguration)
    } else {
      do {
        tree = try DataTree(snapshot: snapshot.data, configuration: treeConfiguration)
      } catch {
        throw StartupError("snapshot at index \(snapshot.metadata.index) in \(directory) is damaged: \(error)")
      }
    }
    if !snapshot.data.isEmpty {
      logger.info(
        "loaded the snapshot",
        ["index": snapshot.metadata.index.description, "znodes": String(tree.nodeCount), "ms": String(monotonicMs() - started)])
    }
    return OpenedData(log: log, tree: tree, applied: snapshot.metadata.index)
  }

  /// The cluster id as the log's headers store it (FNV-1a of the configured name).
  static func clusterNumber(_ name: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in name.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    return hash
  }

  static func makeDirectories(_ path: String) throws(StartupError) {
    var prefix = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
      prefix += "/" + component
      if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
        throw StartupError("mkdir \(prefix): \(String(cString: strerror(errno)))")
      }
    }
  }

  /// A text file's contents, up to `limit` bytes; nil when it cannot be read.
  static func readSmallFile(_ path: String, limit: Int = 4096) -> String? {
    let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { Glibc.close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while bytes.count < limit {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      guard n >= 0 else { return nil }
      if n == 0 { break }
      bytes += buffer[0..<n]
    }
    return String(decoding: bytes.prefix(limit), as: UTF8.self)
  }
}
