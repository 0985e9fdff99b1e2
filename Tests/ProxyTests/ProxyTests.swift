import Testing
import Transport

@testable import grove_proxy

@Suite("grove-proxy over real loopback sockets", .serialized)
struct ProxyTests {
  @Test("forwards bytes both ways intact")
  func forwardsBothWays() throws {
    let target = try TestTarget()
    let proxy = try RunningProxy(target: target.address)
    let (client, server, _) = try proxy.connectPair(target)
    let up = pattern(count: 300_000, seed: 1)
    let down = pattern(count: 200_000, seed: 2)
    try client.send(up)
    #expect(server.receive(count: up.count) == up)
    try server.send(down)
    #expect(client.receive(count: down.count) == down)
  }

  @Test("cut closes open connections and refuses new ones")
  func cutClosesAndRefuses() throws {
    let target = try TestTarget()
    let proxy = try RunningProxy(target: target.address)
    let (client, server, _) = try proxy.connectPair(target)
    try proxy.control("cut")
    #expect(client.waitForEnd())
    #expect(server.waitForEnd())
    let late = try TestSocket.connect(to: proxy.listenAddress)
    #expect(late.waitForEnd())
    #expect(try proxy.status("refused") == "1")
    #expect(!target.hasPendingConnection)
  }

  @Test("heal after cut forwards new connections again")
  func healRestores() throws {
    let target = try TestTarget()
    let proxy = try RunningProxy(target: target.address)
    try proxy.control("cut")
    try proxy.control("heal")
    #expect(try proxy.status("state") == "open")
    let (client, server, _) = try proxy.connectPair(target)
    try client.send(Array("ruok".utf8))
    #expect(server.receive(count: 4) == Array("ruok".utf8))
    try server.send(Array("imok".utf8))
    #expect(client.receive(count: 4) == Array("imok".utf8))
  }

  @Test("cut-out discards client-to-target bytes only; the other way still flows")
  func oneWayCut() throws {
    let target = try TestTarget()
    let proxy = try RunningProxy(target: target.address)
    let (client, server, _) = try proxy.connectPair(target)
    try proxy.control("cut-out")
    try client.send(Array("lost".utf8))
    try server.send(Array("heard".utf8))
    #expect(client.receive(count: 5) == Array("heard".utf8))
    // The proxy read and discarded the 4 bytes: they can never reach the target.
    var discarded: String?
    for _ in 0..<500 where discarded != "4" {
      discarded = try proxy.status("discarded-out")
    }
    #expect(discarded == "4")
    #expect(!server.hasReadableBytes)
    #expect(try proxy.status("connections") == "1")
  }

  @Test("heal closes a connection that lost bytes to a one-way cut")
  func healClosesLossyPipe() throws {
    let target = try TestTarget()
    let proxy = try RunningProxy(target: target.address)
    let (client, server, _) = try proxy.connectPair(target)
    try proxy.control("cut-in")
    try server.send(Array("lost".utf8))
    var discarded: String?
    for _ in 0..<500 where discarded != "4" { discarded = try proxy.status("discarded-in") }
    try proxy.control("heal")
    #expect(client.waitForEnd())
    #expect(server.waitForEnd())
  }

  @Test("delay holds bytes at least the delay before forwarding, in order")
  func delayHoldsBytes() throws {
    let target = try TestTarget()
    let proxy = try RunningProxy(target: target.address)
    let (client, server, _) = try proxy.connectPair(target)
    try proxy.control("delay-out 300")
    let sentMs = nowMs()
    try client.send(Array("first".utf8))
    try client.send(Array("second".utf8))
    let received = server.receive(count: 11)
    #expect(nowMs() - sentMs >= 300)
    #expect(received == Array("firstsecond".utf8))
    // The other direction is not delayed: a reply is not held (it only has to arrive).
    try server.send(Array("back".utf8))
    #expect(client.receive(count: 4) == Array("back".utf8))
  }

  @Test("the target sees the --source address as the peer")
  func sourceAddressBinding() throws {
    let target = try TestTarget()
    let proxy = try RunningProxy(target: target.address, source: "127.0.0.77")
    let (client, server, peer) = try proxy.connectPair(target)
    #expect(peer.host == "127.0.0.77")
    try client.send([1, 2, 3])
    #expect(server.receive(count: 3) == [1, 2, 3])
  }

  @Test("drop 1 closes the connection pair at its first chunk")
  func dropClosesPipe() throws {
    let target = try TestTarget()
    let proxy = try RunningProxy(target: target.address)
    let (client, server, _) = try proxy.connectPair(target)
    try proxy.control("drop 1")
    try client.send([1])
    #expect(client.waitForEnd())
    #expect(server.waitForEnd())
    #expect(try proxy.status("dropped-connections") == "1")
  }
}

@Suite("control commands")
struct ControlCommandTests {
  @Test("parses every command and its direction")
  func parsesCommands() throws {
    #expect(try ControlCommand.parse("cut") == .cut)
    #expect(try ControlCommand.parse("heal") == .heal)
    #expect(try ControlCommand.parse("cut-in") == .cutOneWay(.in))
    #expect(try ControlCommand.parse("cut-out") == .cutOneWay(.out))
    #expect(try ControlCommand.parse("delay 250") == .delay([.out, .in], ms: 250))
    #expect(try ControlCommand.parse("delay-in 5") == .delay([.in], ms: 5))
    #expect(try ControlCommand.parse("drop-out 0.25\r") == .drop([.out], probability: 0.25))
    #expect(try ControlCommand.parse(" status ") == .status)
  }

  @Test("refuses unknown commands, missing arguments and values out of range")
  func refusesBadLines() {
    #expect(throws: ControlError.unknownCommand("partition")) { try ControlCommand.parse("partition") }
    #expect(throws: ControlError.missingArgument("delay")) { try ControlCommand.parse("delay") }
    #expect(throws: ControlError.unexpectedArgument("cut")) { try ControlCommand.parse("cut now") }
    #expect(throws: ControlError.badValue("drop", "1.5")) { try ControlCommand.parse("drop 1.5") }
    #expect(throws: ControlError.badValue("delay", "-1")) { try ControlCommand.parse("delay -1") }
    #expect(throws: ControlError.emptyCommand) { try ControlCommand.parse("") }
  }

  @Test("heal clears every fault; one-way cuts and delays apply per direction")
  func faultsApply() {
    var faults = ProxyFaults()
    faults.apply(.cutOneWay(.in))
    faults.apply(.delay([.out], ms: 40))
    #expect(faults.in.isCut && !faults.out.isCut)
    #expect(faults.out.delayMs == 40 && faults.in.delayMs == 0)
    faults.apply(.heal)
    #expect(faults.isClear)
  }
}
