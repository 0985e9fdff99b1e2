import Foundation
import GroveClient
import ZooKeeperWire

// grove: the command-line client. See `Arguments.usage`.

let arguments: Arguments
do {
  arguments = try Arguments(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
} catch {
  if !error.description.isEmpty { FileHandle.standardError.write(Data("grove: \(error)\n".utf8)) }
  FileHandle.standardError.write(Data((Arguments.usage + "\n").utf8))
  exit(error.description.isEmpty ? 0 : 2)
}

func fail(_ message: String, status: Int32) -> Never {
  FileHandle.standardError.write(Data("grove: \(message)\n".utf8))
  exit(status)
}

let output = Output(json: arguments.json)
let status: Int32 = await {
  do {
    return try await run(arguments, output: output)
  } catch let error as UsageError {
    FileHandle.standardError.write(Data("grove: \(error)\n\(Arguments.usage)\n".utf8))
    return 2
  } catch let error as ZooKeeperError {
    if arguments.json {
      output.emit(["error": error.description, "code": error.code.rawValue], human: "")
    }
    FileHandle.standardError.write(Data("grove: \(error)\n".utf8))
    switch error {
    case .connectTimeout: return 3
    case .invalidPath, .invalidArgument: return 2
    default: return 1
    }
  } catch {
    FileHandle.standardError.write(Data("grove: \(error)\n".utf8))
    return 1
  }
}()
exit(status)
