using CsvHelper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Shepherd.Platform.Web.Ui;

/// <summary>
/// A CSV download written a row at a time as the query reads it (100 000 people never sit in memory). Text that a
/// spreadsheet would run as a formula (= + - @) is escaped.
/// </summary>
public sealed class CsvFileResult<T>(string fileName, string[] header, IAsyncEnumerable<T> rows, Func<T, IEnumerable<string?>> fields)
    : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        var ct = context.HttpContext.RequestAborted;
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers[HeaderNames.ContentDisposition] = new ContentDispositionHeaderValue("attachment") { FileNameStar = fileName }.ToString();
        response.Headers[HeaderNames.CacheControl] = "no-store";
        await using var csv = CsvWriter.Create(response.Body, new CsvWriterOptions { Injection = CsvInjection.Escape }, leaveOpen: true);
        csv.WriteHeader(header);
        var written = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            foreach (var field in fields(row))
            {
                csv.WriteField(field);
            }
            await csv.EndRecordAsync(ct);
            if (++written % 1000 == 0)
            {
                await csv.FlushAsync(ct);
            }
        }
        await csv.FlushAsync(ct);
    }
}

public static class CsvFile
{
    public static CsvFileResult<T> Of<T>(string fileName, string[] header, IAsyncEnumerable<T> rows, Func<T, IEnumerable<string?>> fields) =>
        new(fileName, header, rows, fields);
}
