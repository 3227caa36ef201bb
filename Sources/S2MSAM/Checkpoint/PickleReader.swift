import S2MCore

/// Runs the Python pickle program of a `torch.save` archive (`data.pkl`) far enough to rebuild a
/// state dict: dicts and OrderedDicts of tensors over storages. Only the opcodes and callables
/// that state dicts use are implemented; anything else is refused with an `S2MError` naming it,
/// never executed. Errors carry no file name: the caller attributes them.
struct PickleReader {
    private let bytes: [UInt8]
    private var position = 0
    private var stack: [PickleValue] = []
    /// Start indices in `stack` of the open MARKs.
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Runs the program to its STOP and returns the value it leaves.
    static func load(_ bytes: [UInt8]) throws -> PickleValue {
        var reader = PickleReader(bytes: bytes)
        return try reader.run()
    }

    private mutating func run() throws -> PickleValue {
        while true {
            let opcodeAt = position
            let opcode = try readByte()
            switch opcode {
            case 0x80:  // PROTO
                let version = try readByte()
                guard version <= 5 else { throw unsupported("pickle protocol \(version)") }
            case 0x95:  // FRAME: a length hint only
                _ = try readBytes(8)
            case 0x2E:  // STOP
                return try pop()

            // Constants and numbers
            case 0x4E: stack.append(.none)  // NONE
            case 0x88: stack.append(.bool(true))  // NEWTRUE
            case 0x89: stack.append(.bool(false))  // NEWFALSE
            case 0x4B: stack.append(.int(Int(try readByte())))  // BININT1
            case 0x4D: stack.append(.int(Int(try readUInt(2))))  // BININT2
            case 0x4A: stack.append(.int(Int(Int32(truncatingIfNeeded: try readUInt(4)))))  // BININT
            case 0x8A:  // LONG1: little-endian two's complement of n bytes
                let n = Int(try readByte())
                stack.append(.int(try readLong(n)))
            case 0x8B:  // LONG4
                let n = Int(try readUInt(4))
                stack.append(.int(try readLong(n)))
            case 0x47:  // BINFLOAT: big-endian double
                let raw = try readBytes(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                stack.append(.float(Double(bitPattern: raw)))

            // Strings and bytes
            case 0x58:  // BINUNICODE
                stack.append(.string(try readString(Int(try readUInt(4)))))
            case 0x8C:  // SHORT_BINUNICODE
                stack.append(.string(try readString(Int(try readByte()))))
            case 0x8D:  // BINUNICODE8
                stack.append(.string(try readString(try readLength8())))
            case 0x54:  // BINSTRING (Python 2 str)
                stack.append(.string(try readString(Int(try readUInt(4)))))
            case 0x55:  // SHORT_BINSTRING
                stack.append(.string(try readString(Int(try readByte()))))
            case 0x42:  // BINBYTES
                stack.append(.bytes(try readBytes(Int(try readUInt(4)))))
            case 0x43:  // SHORT_BINBYTES
                stack.append(.bytes(try readBytes(Int(try readByte()))))
            case 0x8E:  // BINBYTES8
                stack.append(.bytes(try readBytes(try readLength8())))

            // Tuples, lists, dicts
            case 0x28: marks.append(stack.count)  // MARK
            case 0x29: stack.append(.tuple([]))  // EMPTY_TUPLE
            case 0x74: stack.append(.tuple(try popToMark()))  // TUPLE
            case 0x85: stack.append(.tuple([try pop()]))  // TUPLE1
            case 0x86:  // TUPLE2
                let b = try pop(), a = try pop()
                stack.append(.tuple([a, b]))
            case 0x87:  // TUPLE3
                let c = try pop(), b = try pop(), a = try pop()
                stack.append(.tuple([a, b, c]))
            case 0x5D: stack.append(.list(PickleList()))  // EMPTY_LIST
            case 0x6C:  // LIST
                let list = PickleList()
                list.items = try popToMark()
                stack.append(.list(list))
            case 0x61:  // APPEND
                let item = try pop()
                try topList().items.append(item)
            case 0x65:  // APPENDS
                let items = try popToMark()
                try topList().items.append(contentsOf: items)
            case 0x7D: stack.append(.dict(PickleDict()))  // EMPTY_DICT
            case 0x64:  // DICT
                let items = try popToMark()
                let dict = PickleDict()
                try fill(dict, with: items)
                stack.append(.dict(dict))
            case 0x73:  // SETITEM
                let value = try pop(), key = try pop()
                try topDict().set(key, value)
            case 0x75:  // SETITEMS
                let items = try popToMark()
                try fill(try topDict(), with: items)

            // Stack and memo
            case 0x30: _ = try pop()  // POP
            case 0x31: _ = try popToMark()  // POP_MARK
            case 0x32: stack.append(try peek())  // DUP
            case 0x71: memo[Int(try readByte())] = try peek()  // BINPUT
            case 0x72: memo[Int(try readUInt(4))] = try peek()  // LONG_BINPUT
            case 0x94: memo[memo.count] = try peek()  // MEMOIZE
            case 0x68: stack.append(try memoValue(Int(try readByte())))  // BINGET
            case 0x6A: stack.append(try memoValue(Int(try readUInt(4))))  // LONG_BINGET

            // Objects
            case 0x63:  // GLOBAL "module\nname\n"
                let module = try readLine(), name = try readLine()
                stack.append(.global(module: module, name: name))
            case 0x93:  // STACK_GLOBAL
                let name = try pop(), module = try pop()
                guard case .string(let m) = module, case .string(let n) = name else {
                    throw corrupt("STACK_GLOBAL without module and name strings")
                }
                stack.append(.global(module: m, name: n))
            case 0x52:  // REDUCE
                let args = try pop(), callable = try pop()
                guard case .tuple(let arguments) = args else {
                    throw corrupt("REDUCE arguments are a \(args.kind), not a tuple")
                }
                stack.append(try call(callable, arguments))
            case 0x81:  // NEWOBJ
                let args = try pop(), cls = try pop()
                guard case .tuple(let arguments) = args else {
                    throw corrupt("NEWOBJ arguments are a \(args.kind), not a tuple")
                }
                stack.append(try call(cls, arguments))
            case 0x62:  // BUILD: sets attributes (OrderedDict._metadata and the like), ignored
                _ = try pop()
                _ = try peek()
            case 0x51:  // BINPERSID
                stack.append(try persistentLoad(try pop()))

            default:
                throw unsupported(
                    "pickle opcode 0x\(String(opcode, radix: 16)) at byte \(opcodeAt), which state dicts do not use")
            }
        }
    }

    // MARK: Callables

    /// Calls one of the few callables a state dict needs.
    private func call(_ callable: PickleValue, _ args: [PickleValue]) throws -> PickleValue {
        guard case .global(let module, let name) = callable else {
            throw corrupt("pickle calls a \(callable.kind)")
        }
        switch (module, name) {
        case ("collections", "OrderedDict"), ("builtins", "dict"), ("__builtin__", "dict"):
            return .dict(PickleDict())
        case ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"):
            return .tensor(try rebuildTensor(args))
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
            guard let data = args.first, case .tensor = data else {
                throw corrupt("_rebuild_parameter without a tensor")
            }
            return data
        case ("torch", "Size"):
            guard let first = args.first, case .tuple = first else { return .tuple([]) }
            return first
        default:
            throw unsupported("the pickle calls \(module).\(name), which a plain state dict does not use")
        }
    }

    /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, ...)`.
    private func rebuildTensor(_ args: [PickleValue]) throws -> TensorRecord {
        guard args.count >= 4, case .storage(let storage) = args[0], case .int(let offset) = args[1],
              case .tuple(let sizeValues) = args[2], case .tuple(let strideValues) = args[3]
        else { throw corrupt("malformed _rebuild_tensor_v2 arguments") }
        let shape = try sizeValues.map { value -> Int in
            guard case .int(let v) = value, v >= 0 else { throw corrupt("tensor size is not a non-negative int") }
            return v
        }
        let strides = try strideValues.map { value -> Int in
            guard case .int(let v) = value, v >= 0 else { throw corrupt("tensor stride is not a non-negative int") }
            return v
        }
        guard shape.count == strides.count, offset >= 0 else {
            throw corrupt("tensor has \(shape.count) sizes but \(strides.count) strides")
        }
        // Every element the view reaches must lie inside its storage.
        var count = 1
        var lastIndex = offset
        for (size, stride) in zip(shape, strides) {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, product <= 1 << 40 else { throw corrupt("tensor shape \(shape) is too large") }
            count = product
            if size > 0 { lastIndex += (size - 1) * stride }
        }
        if count > 0 && lastIndex >= storage.count {
            throw corrupt("a tensor of shape \(shape) reaches element \(lastIndex) of storage \(storage.key), which holds \(storage.count)")
        }
        return TensorRecord(storage: storage, offset: offset, shape: shape, strides: strides)
    }

    /// Persistent ids of storages: `("storage", torch.<Type>Storage, key, location, numel)`.
    private func persistentLoad(_ pid: PickleValue) throws -> PickleValue {
        guard case .tuple(let parts) = pid, parts.count >= 5, case .string("storage") = parts[0] else {
            throw unsupported("a persistent id that is not a storage (\(pid.kind))")
        }
        guard case .global(_, let typeName) = parts[1] else { throw corrupt("storage without a type") }
        guard let type = StorageType(rawValue: typeName) else {
            throw unsupported("storage type \(typeName)")
        }
        guard case .string(let key) = parts[2], case .int(let count) = parts[4], count >= 0 else {
            throw corrupt("storage record without key or element count")
        }
        return .storage(StorageReference(key: key, type: type, count: count))
    }

    // MARK: Stack helpers

    private mutating func pop() throws -> PickleValue {
        if let mark = marks.last, stack.count <= mark { throw corrupt("pop across a MARK") }
        guard let value = stack.popLast() else { throw corrupt("pop from an empty stack") }
        return value
    }

    private func peek() throws -> PickleValue {
        guard let value = stack.last else { throw corrupt("empty stack") }
        return value
    }

    private mutating func popToMark() throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw corrupt("no MARK") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    private func topList() throws -> PickleList {
        guard case .list(let list) = try peek() else { throw corrupt("APPEND to a non-list") }
        return list
    }

    private func topDict() throws -> PickleDict {
        guard case .dict(let dict) = try peek() else { throw corrupt("SETITEM on a non-dict") }
        return dict
    }

    private func fill(_ dict: PickleDict, with items: [PickleValue]) throws {
        guard items.count % 2 == 0 else { throw corrupt("odd number of dict items") }
        for i in stride(from: 0, to: items.count, by: 2) { dict.set(items[i], items[i + 1]) }
    }

    private func memoValue(_ index: Int) throws -> PickleValue {
        guard let value = memo[index] else { throw corrupt("memo entry \(index) used before it is set") }
        return value
    }

    // MARK: Byte reading

    private mutating func readByte() throws -> UInt8 {
        guard position < bytes.count else { throw truncated() }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func readBytes(_ n: Int) throws -> [UInt8] {
        guard n >= 0, n <= bytes.count - position else { throw truncated() }
        defer { position += n }
        return Array(bytes[position..<position + n])
    }

    private mutating func readUInt(_ n: Int) throws -> UInt64 {
        let raw = try readBytes(n)
        return raw.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    private mutating func readLength8() throws -> Int {
        let n = try readUInt(8)
        guard n <= UInt64(bytes.count) else { throw truncated() }
        return Int(n)
    }

    private mutating func readLong(_ n: Int) throws -> Int {
        guard n <= 8 else { throw unsupported("an integer of \(n) bytes") }
        let raw = try readBytes(n)
        guard n > 0 else { return 0 }
        var value = raw.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        if n < 8 && raw[n - 1] & 0x80 != 0 { value |= ~UInt64(0) << UInt64(8 * n) }  // sign-extend
        return Int(Int64(bitPattern: value))
    }

    private mutating func readString(_ n: Int) throws -> String {
        String(decoding: try readBytes(n), as: UTF8.self)
    }

    private mutating func readLine() throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw truncated() }
        defer { position = end + 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    // MARK: Errors

    private func truncated() -> S2MError {
        S2MError(file: nil, .truncated("data.pkl ends in the middle of a pickle opcode (byte \(position))"))
    }

    private func corrupt(_ why: String) -> S2MError {
        S2MError(file: nil, .corrupt("data.pkl: \(why)"))
    }

    private func unsupported(_ what: String) -> S2MError {
        S2MError(file: nil, .unsupported("data.pkl: \(what)"))
    }
}
