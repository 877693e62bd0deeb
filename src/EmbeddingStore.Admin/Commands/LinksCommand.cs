// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.CommandLine;
using EmbeddingStore.Admin.Cli;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Admin.Commands;

// `esadmin links fit|list|show|delete`: the bridges between model versions and their held-out quality report as a
// table (recall@1/10/100 against the target version's own neighbours, the same without a map, mean cosine fidelity,
// pair counts, both directions when the link is reversible, and the candidates `auto` compared).
internal sealed class LinksCommand : IAdminCommand
{
    // Fitting is the slowest call there is (about a second per 5,000 pairs, per candidate for `auto`).
    private static readonly TimeSpan s_fitTimeout = TimeSpan.FromMinutes(10);

    public Command Create(AdminContext context)
    {
        var command = new Command("links", "Fit, list, show and delete links between model versions, with their quality report");

        var from = new Option<string>("--from") { Description = "The version the link maps from, model@version", Required = true, HelpName = "VERSION" };
        var to = new Option<string>("--to") { Description = "The version it maps into", Required = true, HelpName = "VERSION" };
        var collection = new Option<string?>("--collection") { Description = "A collection whose items hold both versions: the fitting pairs", HelpName = "NAME" };
        var kind = new Option<string>("--kind")
        {
            Description = "auto (fit every kind, keep the best held out), procrustes, scaled-procrustes, ridge, low-rank, rff-ridge, or identity (declare, no fit)",
            DefaultValueFactory = _ => "auto",
            HelpName = "KIND",
        };
        var holdout = new Option<double>("--holdout") { Description = "Fraction of pairs held out for the report, 0.05-0.5", DefaultValueFactory = _ => 0.2, HelpName = "F" };
        var seed = new Option<int>("--seed") { Description = "Seed of the split: the same pairs and seed give the same link", DefaultValueFactory = _ => 1, HelpName = "N" };
        var fit = new Command("fit", "Fit a link on a collection's items that hold both versions and print its quality report")
        {
            from, to, collection, kind, holdout, seed,
        };
        fit.Validators.Add(result =>
        {
            if (result.GetValue(kind) != "identity" && result.GetValue(collection) is null)
            {
                result.AddError("--collection is required to fit a link (only --kind identity declares one without pairs)");
            }
        });
        command.Subcommands.Add(ServerCall.DocumentCommand(
            context,
            fit,
            (parseResult, client, ct) =>
            {
                string? source = parseResult.GetValue(collection);
                var request = new LinkRequest
                {
                    From = parseResult.GetRequiredValue(from),
                    To = parseResult.GetRequiredValue(to),
                    Kind = parseResult.GetRequiredValue(kind),
                    Fit = source is null ? null : new LinkFitRequest { Collection = source, Holdout = parseResult.GetValue(holdout), Seed = parseResult.GetValue(seed) },
                };
                return client.CreateLinkAsync(request, ct);
            },
            EmbeddingStoreJsonContext.Default.LinkResponse,
            link => WriteAsync(context, link),
            timeout: s_fitTimeout));

        command.Subcommands.Add(ServerCall.ListCommand(
            context, "list", "List links with their held-out recall@10 and mean cosine", (client, ct) => client.ListLinksAsync(ct),
            EmbeddingStoreJsonContext.Default.LinkListResponse, list => ListTable(list.Links, null)));

        var shown = new Argument<string>("id") { Description = "The link's id" };
        command.Subcommands.Add(ServerCall.DocumentCommand(
            context,
            new Command("show", "One link and its quality report") { shown },
            (parseResult, client, ct) => client.GetLinkAsync(parseResult.GetRequiredValue(shown), ct),
            EmbeddingStoreJsonContext.Default.LinkResponse,
            link => WriteAsync(context, link)));

        var deleted = new Argument<string>("id") { Description = "The link's id" };
        command.Subcommands.Add(ServerCall.SingleCommand(
            context,
            new Command("delete", "Delete a link (vectors derived through it keep their lineage; searches stop bridging through it)") { deleted },
            async (parseResult, client, ct) =>
            {
                LinkResponse link = await client.GetLinkAsync(parseResult.GetRequiredValue(deleted), ct);
                await client.DeleteLinkAsync(link.Id, ct);
                return new LinkDeleted(link.Id, link.From, link.To, link.Kind);
            },
            AdminJsonContext.Default.LinkDeleted,
            d => $"deleted link {d.Id} ({d.From} -> {d.To}, {d.Kind})"));
        return command;
    }

    public static TextTable ListTable(IEnumerable<LinkResponse> links, string? title) => TextTable.Of(
        title,
        ["ID", "FROM", "TO", "KIND", "PAIRS", "RECALL@10", "MEAN COS", "CREATED"],
        links.Select(l => (IReadOnlyList<string>)
        [
            l.Id, l.From, l.To, l.Kind, l.Pairs is { } p ? Format.Count(p) : "-", Format.Fraction(l.Quality?.RecallAt10), Format.Fraction(l.Quality?.MeanCosine),
            Format.Time(l.CreatedAt),
        ]));

    // The quality report: one row per figure, one column per direction.
    public static TextTable QualityTable(LinkResponse link)
    {
        var columns = new List<string> { "HELD OUT", $"{link.From} -> {link.To}" };
        LinkQualityResponse?[] directions = link.ReverseQuality is null ? [link.Quality] : [link.Quality, link.ReverseQuality];
        if (link.ReverseQuality is not null)
        {
            columns.Add($"{link.To} -> {link.From}");
        }

        (string Name, Func<LinkQualityResponse, string> Value)[] figures =
        [
            ("fit pairs", q => Format.Count(q.FitPairs)),
            ("held-out pairs", q => Format.Count(q.HoldoutPairs)),
            ("recall@1", q => Format.Fraction(q.RecallAt1)),
            ("recall@10", q => Format.Fraction(q.RecallAt10)),
            ("recall@100", q => Format.Fraction(q.RecallAt100)),
            ("recall@10 without a map", q => Format.Fraction(q.NoMapRecallAt10)),
            ("mean cosine (mapped vs true)", q => Format.Fraction(q.MeanCosine)),
            ("mean cosine without a map", q => Format.Fraction(q.IdentityMeanCosine)),
        ];
        return TextTable.Of(
            "quality",
            columns,
            figures.Select(f => (IReadOnlyList<string>)[f.Name, .. directions.Select(q => q is null ? "-" : f.Value(q))]));
    }

    private static async Task WriteAsync(AdminContext context, LinkResponse link)
    {
        await Format.FieldsAsync(
            context,
            ("link", link.Id),
            ("from", link.From),
            ("to", link.To),
            ("kind", link.Kind + (link.Reversible ? " (reversible)" : string.Empty)),
            ("pairs", link.Pairs is { } p ? Format.Count(p) : "-"),
            ("created", Format.Time(link.CreatedAt)));
        if (link.Fit is { } fit)
        {
            await Format.FieldsAsync(
                context,
                ("fitted on", fit.Collection is null ? fit.Source : $"{fit.Source} {fit.Collection}"),
                ("holdout", Format.Fraction(fit.Holdout)),
                ("seed", Format.Count(fit.Seed)),
                ("fit time", Format.Seconds(fit.FitSeconds)));
        }

        if (link.Quality is null)
        {
            await context.Out.WriteLineAsync("quality: none (an identity link declares the versions comparable; nothing was fitted)");
        }
        else
        {
            await QualityTable(link).WriteAsync(context);
        }

        if (link.Fit is { Candidates.Count: > 0 } candidates)
        {
            await TextTable.Of(
                "candidates",
                ["KIND", "RECALL@10", "MEAN COS"],
                candidates.Candidates.Select(c => (IReadOnlyList<string>)[c.Kind + (c.Kind == link.Kind ? " (kept)" : string.Empty), Format.Fraction(c.RecallAt10), Format.Fraction(c.MeanCosine)]))
                .WriteAsync(context);
        }
    }
}

// `links delete --json`: the link that was deleted.
internal sealed record LinkDeleted(string Id, string From, string To, string Kind);
