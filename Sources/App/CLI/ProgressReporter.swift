import Foundation

/// Progress of long CLI work: a redrawn bar on a terminal, plain lines when output is a pipe or file.
struct ProgressReporter: Sendable {
    let total: Int
    let isTerminal: Bool

    init(total: Int, isTerminal: Bool = isatty(STDOUT_FILENO) == 1) {
        self.total = total
        self.isTerminal = isTerminal
    }

    /// Reports `done` of `total` with a summary of the item that just finished.
    func update(done: Int, item: String) {
        if self.isTerminal {
            let width = 30
            let filled = self.total == 0 ? width : width * done / self.total
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let line = "\r\(bar) \(done)/\(self.total)  \(item)"
            FileHandle.standardOutput.write(Data((line.padding(toLength: max(line.count, 100), withPad: " ", startingAt: 0)).utf8))
            if done == self.total { FileHandle.standardOutput.write(Data("\n".utf8)) }
        } else {
            print("[\(done)/\(self.total)] \(item)")
        }
    }
}
