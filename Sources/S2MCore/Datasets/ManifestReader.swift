import Foundation

/// Reads a manifest: a list of cases for datasets in no known layout.
///
/// - CSV (`.csv` or anything that is not JSON): one case per line, fields `image,scores,label,prompts`
///   in that order, or in any order named by a header line whose first field is `image`
///   (`name` is also accepted). Empty fields mean "none"; fields may be quoted with `"` (`""`
///   inside quotes is a quote); blank lines and lines starting with `#` are skipped.
/// - JSON: an array of objects, or `{"cases": [...]}`, with keys `image` (required), `scores`,
///   `label`, `prompts`, `name`; unknown keys are refused (a typo would silently drop a file).
///
/// Relative paths are relative to the manifest's folder. Names default to the image stem; when
/// stems repeat, the image path relative to the manifest (without extension) is used.
public enum ManifestReader {
    static let columns = ["image", "scores", "label", "prompts", "name"]

    public static func read(_ path: String) throws -> [DatasetCase] {
        let data = try InputFile.read(path)
        guard let text = String(data: data, encoding: .utf8) else {
            throw S2MError(file: path, .corrupt("a manifest must be UTF-8 text"))
        }
        let base = DatasetPaths.directory(of: path)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var rows: [[String: String]]
        if trimmed.hasPrefix("[") || trimmed.hasPrefix("{") {
            rows = try json(data, file: path)
        } else {
            rows = try csv(text, file: path)
        }
        guard !rows.isEmpty else { throw S2MError(file: path, .invalid("the manifest lists no images")) }
        var cases: [DatasetCase] = []
        for (i, row) in rows.enumerated() {
            guard let image = row["image"], !image.isEmpty else {
                throw S2MError(file: path, .invalid("case \(i + 1): no image"))
            }
            func resolve(_ key: String) -> String? {
                guard let v = row[key], !v.isEmpty else { return nil }
                return DatasetPaths.join(base, v)
            }
            cases.append(DatasetCase(name: row["name"].flatMap { $0.isEmpty ? nil : $0 } ?? DatasetPaths.stem(image),
                                     image: DatasetPaths.join(base, image), scores: resolve("scores"),
                                     label: resolve("label"), prompts: resolve("prompts")))
        }
        // Unique names: fall back to the relative path without extension for repeated stems.
        var counts: [String: Int] = [:]
        for c in cases { counts[c.name, default: 0] += 1 }
        for i in cases.indices where counts[cases[i].name]! > 1 && rows[i]["name"] == nil {
            let rel = rows[i]["image"]!
            let ext = DatasetPaths.fileExtension(rel)
            cases[i].name = ext.isEmpty ? rel : String(rel.dropLast(ext.count + 1))
        }
        var seen: [String: Int] = [:]
        for (i, c) in cases.enumerated() {
            if let j = seen[c.name] {
                throw S2MError(file: path, .invalid("cases \(j + 1) and \(i + 1) have the same name '\(c.name)'"))
            }
            seen[c.name] = i
        }
        return cases
    }

    static func json(_ data: Data, file: String) throws -> [[String: String]] {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw S2MError(file: file, .corrupt("not valid JSON (\(error.localizedDescription))"))
        }
        let list: [Any]
        if let array = object as? [Any] {
            list = array
        } else if let dict = object as? [String: Any], let array = dict["cases"] as? [Any] {
            list = array
        } else {
            throw S2MError(file: file, .invalid("a JSON manifest is an array of cases or {\"cases\": [...]}"))
        }
        return try list.enumerated().map { i, item in
            guard let dict = item as? [String: Any] else {
                throw S2MError(file: file, .invalid("case \(i + 1) is not an object"))
            }
            var row: [String: String] = [:]
            for (key, value) in dict {
                guard columns.contains(key) else {
                    throw S2MError(file: file, .invalid("case \(i + 1): unknown key '\(key)' (use \(columns.joined(separator: ", ")))"))
                }
                if value is NSNull { continue }
                guard let s = value as? String else {
                    throw S2MError(file: file, .invalid("case \(i + 1): '\(key)' must be a string"))
                }
                row[key] = s
            }
            return row
        }
    }

    static func csv(_ text: String, file: String) throws -> [[String: String]] {
        var header: [String]? = nil
        var rows: [[String: String]] = []
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = try splitCSV(String(line), file: file, line: number + 1)
            if header == nil && rows.isEmpty, let first = fields.first?.lowercased(), first == "image" || first == "name" {
                let names = fields.map { $0.lowercased() }
                for n in names where !columns.contains(n) {
                    throw S2MError(file: file, .invalid("line \(number + 1): unknown column '\(n)' (use \(columns.joined(separator: ", ")))"))
                }
                header = names
                continue
            }
            let names = header ?? Array(columns.prefix(4))
            guard fields.count <= names.count else {
                throw S2MError(file: file, .invalid("line \(number + 1): \(fields.count) fields, expected at most \(names.count) (\(names.joined(separator: ",")))"))
            }
            var row: [String: String] = [:]
            for (name, value) in zip(names, fields) where !value.isEmpty { row[name] = value }
            rows.append(row)
        }
        return rows
    }

    /// Splits one CSV line; fields are trimmed unless quoted.
    static func splitCSV(_ line: String, file: String, line number: Int) throws -> [String] {
        var fields: [String] = []
        var field = ""
        var quoted = false, wasQuoted = false
        var chars = Array(line)[...]
        while let ch = chars.popFirst() {
            if quoted {
                if ch == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
                } else {
                    field.append(ch)
                }
            } else if ch == "\"" && field.trimmingCharacters(in: .whitespaces).isEmpty {
                quoted = true; wasQuoted = true; field = ""
            } else if ch == "," {
                fields.append(wasQuoted ? field : field.trimmingCharacters(in: .whitespaces))
                field = ""; wasQuoted = false
            } else {
                field.append(ch)
            }
        }
        if quoted { throw S2MError(file: file, .invalid("line \(number): unterminated quote")) }
        fields.append(wasQuoted ? field : field.trimmingCharacters(in: .whitespaces))
        return fields
    }
}
