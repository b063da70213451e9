using System.Data.Common;
using Dapper;

namespace Assay.Store.Data;

/// <summary>Multi-row INSERTs (one statement per batch of rows), the same SQL on both engines.</summary>
internal static class BatchInsert
{
    private const int RowsPerStatement = 200;

    public static async Task RunAsync<T>(DbConnection connection, DbTransaction transaction, string table, string[] columns, IEnumerable<T> rows, Func<T, object?[]> values)
    {
        var head = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ";
        foreach (var chunk in rows.Chunk(RowsPerStatement))
        {
            var parameters = new DynamicParameters();
            var sql = new System.Text.StringBuilder(head);
            for (var r = 0; r < chunk.Length; r++)
            {
                var row = values(chunk[r]);
                sql.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < columns.Length; c++)
                {
                    var name = $"p{r}_{c}";
                    parameters.Add(name, row[c]);
                    sql.Append(c == 0 ? "@" : ", @").Append(name);
                }
                sql.Append(')');
            }
            await connection.ExecuteAsync(sql.ToString(), parameters, transaction);
        }
    }
}
