import Foundation
import GroveClient
import ZooKeeperWire

/// Runs the parsed command; returns the exit status.
func run(_ arguments: Arguments, output: Output) async throws -> Int32 {
  let path = arguments.operands.first ?? "/"
  if arguments.command == "cluster" {
    guard path == "status" else { throw UsageError("grove cluster takes one subcommand: status") }
    return clusterStatus(try ConnectString(arguments.servers).servers, timeoutSeconds: arguments.timeoutSeconds, output: output)
  }
  if arguments.command == "4lw" {
    let servers = try ConnectString(arguments.servers).servers
    let answer = try fourLetterWord(path, servers: servers, timeoutSeconds: arguments.timeoutSeconds)
    output.emit(["word": path, "answer": answer], human: answer.hasSuffix("\n") ? String(answer.dropLast()) : answer)
    return 0
  }
  let client = try await GroveClient.connect(
    arguments.servers, sessionTimeout: .seconds(max(4, arguments.timeoutSeconds)),
    connectTimeout: .milliseconds(Int64(arguments.timeoutSeconds * 1000)))
  defer { Task { await client.close() } }
  let status = try await execute(arguments, path: path, client: client, output: output)
  await client.close()
  return status
}

private func execute(_ arguments: Arguments, path: String, client: GroveClient, output: Output) async throws -> Int32 {
  switch arguments.command {
  case "ls":
    let list = try await client.getChildren(path)
    output.emit(["path": path, "children": list.children], human: list.children.joined(separator: "\n"))
  case "get":
    let node = try await client.getData(path)
    var object = Output.data(node.data)
    object["path"] = path
    object["stat"] = Output.stat(node.stat)
    output.emit(object, human: String(decoding: node.data, as: UTF8.self))
  case "set":
    let version = Int32(clamping: try arguments.intOption("-v") ?? -1)
    let stat = try await client.setData(path, data: Array(arguments.operands[1].utf8), version: version)
    output.emit(["path": path, "stat": Output.stat(stat)], human: "")
  case "create":
    let flags = arguments.flags
    let ttl = try arguments.intOption("-t")
    if flags.contains("-c") && (flags.contains("-e") || flags.contains("-s") || ttl != nil) {
      throw UsageError("-c (container) does not combine with -e, -s or -t")
    }
    if flags.contains("-e") && ttl != nil { throw UsageError("-e (ephemeral) does not combine with -t") }
    let mode: CreateMode
    switch (flags.contains("-e"), flags.contains("-s"), flags.contains("-c"), ttl != nil) {
    case (_, _, true, _): mode = .container
    case (true, true, _, _): mode = .ephemeralSequential
    case (true, false, _, _): mode = .ephemeral
    case (false, true, _, true): mode = .persistentSequentialWithTTL
    case (false, false, _, true): mode = .persistentWithTTL
    case (false, true, _, false): mode = .persistentSequential
    default: mode = .persistent
    }
    let data = arguments.operands.count > 1 ? Array(arguments.operands[1].utf8) : []
    let created = try await client.create(path, data: data, mode: mode, ttlMs: ttl)
    output.emit(["path": created.path, "stat": Output.stat(created.stat)], human: "created \(created.path)")
    if mode.isEphemeral && !arguments.json {
      FileHandle.standardError.write(Data("grove: note: the ephemeral node goes away when this command's session closes\n".utf8))
    }
  case "rm":
    if arguments.flags.contains("-r") {
      guard try await client.exists(path) != nil else { throw ZooKeeperError.server(.noNode, path: path) }
      try await client.deleteRecursively(path)
    } else {
      try await client.delete(path, version: Int32(clamping: try arguments.intOption("-v") ?? -1))
    }
    output.emit(["path": path, "deleted": true], human: "")
  case "stat":
    guard let stat = try await client.exists(path) else { throw ZooKeeperError.server(.noNode, path: path) }
    output.emit(["path": path, "stat": Output.stat(stat)], human: Output.statText(stat))
  case "watch":
    let limit = try arguments.intOption("-n")
    let watch = try await client.watch(path, recursive: arguments.flags.contains("-r"))
    if !arguments.json { FileHandle.standardError.write(Data("watching \(path)\n".utf8)) }
    var seen: Int64 = 0
    for try await event in watch {
      output.emit(["type": "\(event.type)", "path": event.path], human: "\(event.type) \(event.path)")
      fflush(nil)
      seen += 1
      if let limit, seen >= limit { break }
    }
  default:
    throw UsageError("unknown command '\(arguments.command)'")
  }
  return 0
}
