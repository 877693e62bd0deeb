// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using Spectre.Console;

namespace EmbeddingStore.Admin.Cli;

// A table of text as every command prints one: on a terminal a Spectre.Console table (title, aligned columns, borders),
// redirected a header line and one tab-separated line per row (the form the tests and `cut -f` read). Scripts that
// need stable fields use --json; the plain form is for eyes and greps.
internal sealed record TextTable(string? Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    public static TextTable Of(string? title, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string>> rows) => new(title, columns, [.. rows]);

    public async Task WriteAsync(AdminContext context)
    {
        if (context.Terminal)
        {
            var table = new Table { Border = TableBorder.Rounded };
            if (Title is not null)
            {
                table.Title = new TableTitle(Markup.Escape(Title));
            }

            foreach (string column in Columns)
            {
                table.AddColumn(new TableColumn(Markup.Escape(column)));
            }

            foreach (IReadOnlyList<string> row in Rows)
            {
                table.AddRow([.. row.Select(cell => new Text(cell))]);
            }

            if (Rows.Count == 0)
            {
                table.Caption = new TableTitle("(none)");
            }

            context.Console.Write(table);
            return;
        }

        if (Title is not null)
        {
            await context.Out.WriteLineAsync(Title + ":");
        }

        await context.Out.WriteLineAsync(string.Join('\t', Columns));
        foreach (IReadOnlyList<string> row in Rows)
        {
            await context.Out.WriteLineAsync(string.Join('\t', row.Select(Plain)));
        }
    }

    // A tab or line break inside a cell would split it in the plain form; they become spaces.
    private static string Plain(string cell) => cell.Replace('\t', ' ').ReplaceLineEndings(" ");
}
