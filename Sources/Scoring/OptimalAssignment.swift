/// Maximum-weight one-to-one assignment between the rows and columns of a rectangular matrix:
/// the Hungarian (Kuhn–Munkres) algorithm with row and column potentials, O(n²·m) for n ≤ m.
/// CEAF needs the optimal alignment of key to response entities; a greedy one can be worse.
enum OptimalAssignment {
    /// `weights` is rows×columns, row-major. Returns, per row, the column matched to it, or nil
    /// for rows left over when rows > columns. Exactly min(rows, columns) pairs are matched and
    /// their total weight is maximal; with non-negative weights that is the maximum-weight matching.
    static func maximumWeight(_ weights: [Double], rows: Int, columns: Int) -> [Int?] {
        precondition(weights.count == rows * columns, "OptimalAssignment: \(weights.count) weights for \(rows)×\(columns)")
        guard rows > 0, columns > 0 else { return [Int?](repeating: nil, count: rows) }
        if rows <= columns {
            let rowToColumn = minimumCost(rows, columns) { -weights[$0 * columns + $1] }
            return rowToColumn.map { Optional($0) }
        }
        // More rows than columns: solve the transposed problem, where every column gets a row.
        let columnToRow = minimumCost(columns, rows) { -weights[$1 * columns + $0] }
        var rowToColumn = [Int?](repeating: nil, count: rows)
        for (column, row) in columnToRow.enumerated() { rowToColumn[row] = column }
        return rowToColumn
    }

    /// Assigns every one of `n` rows a distinct one of `m >= n` columns at minimum total cost.
    /// Invariant: cost(i, j) − u[i] − v[j] ≥ 0 for all i, j, with equality on matched pairs;
    /// each row is added by growing a shortest augmenting path (Dijkstra on reduced costs).
    /// Indices are 1-based internally; row/column 0 is the virtual start of each path.
    private static func minimumCost(_ n: Int, _ m: Int, cost: (Int, Int) -> Double) -> [Int] {
        var u = [Double](repeating: 0, count: n + 1)
        var v = [Double](repeating: 0, count: m + 1)
        var rowOfColumn = [Int](repeating: 0, count: m + 1)   // 0 = column free
        var previousColumn = [Int](repeating: 0, count: m + 1)
        var minimumSlack = [Double](repeating: 0, count: m + 1)
        var visited = [Bool](repeating: false, count: m + 1)
        for row in 1...n {
            rowOfColumn[0] = row
            var column0 = 0
            for j in 0...m { minimumSlack[j] = .infinity; visited[j] = false }
            repeat {
                visited[column0] = true
                let row0 = rowOfColumn[column0]
                var delta = Double.infinity, column1 = 0
                for j in 1...m where !visited[j] {
                    let slack = cost(row0 - 1, j - 1) - u[row0] - v[j]
                    if slack < minimumSlack[j] { minimumSlack[j] = slack; previousColumn[j] = column0 }
                    if minimumSlack[j] < delta { delta = minimumSlack[j]; column1 = j }
                }
                for j in 0...m {
                    if visited[j] {
                        u[rowOfColumn[j]] += delta
                        v[j] -= delta
                    } else {
                        minimumSlack[j] -= delta
                    }
                }
                column0 = column1
            } while rowOfColumn[column0] != 0
            // Flip the augmenting path back to the start.
            repeat {
                let column1 = previousColumn[column0]
                rowOfColumn[column0] = rowOfColumn[column1]
                column0 = column1
            } while column0 != 0
        }
        var columnOfRow = [Int](repeating: 0, count: n)
        for j in 1...m where rowOfColumn[j] != 0 { columnOfRow[rowOfColumn[j] - 1] = j - 1 }
        return columnOfRow
    }
}
