import CLapacke

/// The one place PredictionCore calls LAPACK (house style 13: the C boundary stays in one folder).
///
/// Solves `A x = b` for a symmetric positive definite `A` with `dposv` (Cholesky factorisation, then two triangular
/// solves). Arrays are passed by `&` for the duration of the call only; nothing is retained.
enum SymmetricSolver {
    /// Solves in place: `matrix` (n × n, both triangles filled; column- and row-major coincide for a symmetric
    /// matrix) is overwritten by its Cholesky factor, `rhs` (n values) by the solution.
    ///
    /// - Returns: `false` when `A` is not (numerically) positive definite or an argument was rejected; `rhs` is then
    ///   unspecified.
    static func solvePositiveDefinite(_ matrix: inout [Double], _ rhs: inout [Double], dimension n: Int) -> Bool {
        precondition(matrix.count >= n * n && rhs.count >= n && n > 0, "solver buffers too small")
        let order = Int32(n)  // lapack_int (a macro Swift does not import) is int32_t here
        // The `_work` entry point skips LAPACKE's NaN scan of the inputs (callers pass finite values).
        let info = LAPACKE_dposv_work(
            LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), order, 1, &matrix, order, &rhs, order
        )
        return info == 0
    }
}
