// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Client.Internal;

// Translates the abstraction's LINQ filter into the server's filter tree: && → must, || → should, ! → mustNot,
// == / != with a constant → match (or mustNot match, which like C# holds for a missing or null field), < <= > >= →
// range, == null / != null → isNull or isEmpty, list.Contains(r.Field) → any, r.Tags.Contains(x) and
// r.Tags.Any(t => t == x / list.Contains(t)) → match or any on the array, r.Tags.Any() → isEmpty false. All of it is
// evaluated by the engine during the scan, so search stays exact; anything else is refused with the part of the
// expression that could not be translated, rather than silently filtered on the client after the top-k was cut.
internal static class FilterTranslator
{
    public static FilterRequest? Translate(LambdaExpression filter, RecordModel model)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ParameterExpression record = filter.Parameters[0];
        if (filter.Body is ConstantExpression { Value: true })
        {
            return null;
        }

        FieldConditionRequest root = Visit(filter.Body, record, model);

        // A top-level conjunction becomes the filter's own must list.
        return root is { Key: null, Must: { } must, Should: null, MustNot: null } ? new FilterRequest { Must = must } : new FilterRequest { Must = [root] };
    }

    private static FieldConditionRequest Visit(Expression node, ParameterExpression record, RecordModel model)
    {
        switch (node)
        {
            case BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.And } both when both.Type == typeof(bool):
                return new FieldConditionRequest { Must = [.. Flatten(Visit(both.Left, record, model), c => c.Must), .. Flatten(Visit(both.Right, record, model), c => c.Must)] };
            case BinaryExpression { NodeType: ExpressionType.OrElse or ExpressionType.Or } either when either.Type == typeof(bool):
                return new FieldConditionRequest { Should = [.. Flatten(Visit(either.Left, record, model), c => c.Should), .. Flatten(Visit(either.Right, record, model), c => c.Should)] };
            case UnaryExpression { NodeType: ExpressionType.Not } not when not.Type == typeof(bool):
                // !(a || b) is "none of a, b": one mustNot list, which keeps the tree (and its JSON depth) shallow.
                return new FieldConditionRequest { MustNot = [.. Flatten(Visit(not.Operand, record, model), c => c.Should)] };
            case BinaryExpression
            {
                NodeType: ExpressionType.Equal or ExpressionType.NotEqual or ExpressionType.LessThan or ExpressionType.LessThanOrEqual
                or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual
            } comparison:
                if (Comparison(comparison, record, model) is { } condition)
                {
                    return condition;
                }

                break;
            case ConstantExpression { Value: true }:
                // An empty must holds for every item, an empty should for none.
                return new FieldConditionRequest { Must = [] };
            case ConstantExpression { Value: false }:
                return new FieldConditionRequest { Should = [] };
            case Expression when node.Type == typeof(bool) && node is MemberExpression or UnaryExpression { NodeType: ExpressionType.Convert } or MethodCallExpression { Method.Name: "get_Item" }
                && TryField(node, record, model, out RecordModel.DataField? flag):
                return Condition(flag, true, node);
            case MethodCallExpression { Method.Name: "Contains" } call:
                if (Contains(call, record, model) is { } contains)
                {
                    return contains;
                }

                break;
            case MethodCallExpression { Method.Name: "Any", Method.DeclaringType: { } declaring } any when declaring == typeof(Enumerable):
                if (AnyElement(any, record, model) is { } element)
                {
                    return element;
                }

                break;
        }

        throw new NotSupportedException(
            $"The filter part '{node}' cannot be sent to EmbeddingStore: filters support ==, !=, <, <=, >, >=, &&, ||, !, == null, " +
            "list.Contains(r.Field), r.Array.Contains(x) and r.Array.Any(e => e == x or list.Contains(e)) on data properties. " +
            "Filter further on the results, or fetch with the SDK.");
    }

    // A nested clause of the same kind is merged into its parent: a && b && c is one must list, not a chain.
    private static IEnumerable<FieldConditionRequest> Flatten(FieldConditionRequest condition, Func<FieldConditionRequest, List<FieldConditionRequest>?> list)
    {
        List<FieldConditionRequest>? own = list(condition);
        bool single = condition.Key is null && own is not null
            && new[] { condition.Must, condition.Should, condition.MustNot }.Count(l => l is not null) == 1;
        return single ? own! : [condition];
    }

    private static FieldConditionRequest? Comparison(BinaryExpression comparison, ParameterExpression record, RecordModel model)
    {
        ExpressionType op = comparison.NodeType;
        Expression? value = null;
        if (TryField(comparison.Left, record, model, out RecordModel.DataField? field) && !References(comparison.Right, record))
        {
            value = comparison.Right;
        }
        else if (TryField(comparison.Right, record, model, out field) && !References(comparison.Left, record))
        {
            // 5 < r.N is r.N > 5.
            value = comparison.Left;
            op = op switch
            {
                ExpressionType.LessThan => ExpressionType.GreaterThan,
                ExpressionType.LessThanOrEqual => ExpressionType.GreaterThanOrEqual,
                ExpressionType.GreaterThan => ExpressionType.LessThan,
                ExpressionType.GreaterThanOrEqual => ExpressionType.LessThanOrEqual,
                _ => op,
            };
        }

        if (field is null || value is null)
        {
            return null;
        }

        object? constant = Evaluate(value);
        if (constant is null)
        {
            // Null checks: a property the connector wrote as null is present and null; one written by other means may be
            // missing. For a scalar property "missing or null" is exactly isEmpty; a collection can also be [] (not null in
            // C#), so there the present null is what is tested.
            bool collection = field.Type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(field.Type);
            return op switch
            {
                ExpressionType.Equal => collection ? new() { Key = field.StorageName, IsNull = true } : new() { Key = field.StorageName, IsEmpty = true },
                ExpressionType.NotEqual => collection ? new() { Key = field.StorageName, IsNull = false } : new() { Key = field.StorageName, IsEmpty = false },
                _ => throw new NotSupportedException($"The filter part '{comparison}' orders against null, which no item satisfies; compare with a number."),
            };
        }

        switch (op)
        {
            case ExpressionType.Equal:
                return Equality(field, constant, comparison);
            case ExpressionType.NotEqual:
                // Like C#, r.X != v holds for a missing or null field: "not (match v)", not "except [v]".
                return new FieldConditionRequest { MustNot = [Equality(field, constant, comparison)] };
        }

        JsonElement bound = Scalar(constant, comparison);
        if (bound.ValueKind != JsonValueKind.Number)
        {
            throw new NotSupportedException($"The filter part '{comparison}' orders a {constant.GetType().Name}; EmbeddingStore ranges compare numbers only.");
        }

        var range = op switch
        {
            ExpressionType.LessThan => new FilterRangeRequest { Lt = bound },
            ExpressionType.LessThanOrEqual => new FilterRangeRequest { Lte = bound },
            ExpressionType.GreaterThan => new FilterRangeRequest { Gt = bound },
            _ => new FilterRangeRequest { Gte = bound },
        };
        return new FieldConditionRequest { Key = field.StorageName, Range = range };
    }

    // list.Contains(x) on an instance, Enumerable.Contains(array, x), or C# 14's MemoryExtensions.Contains(span, x): either
    // an array property holding a constant (match on any element) or a constant list holding the property (any).
    private static FieldConditionRequest? Contains(MethodCallExpression call, ParameterExpression record, RecordModel model)
    {
        (Expression? source, Expression? item) = call.Object is not null && call.Arguments.Count == 1
            ? (call.Object, call.Arguments[0])
            : call.Arguments.Count >= 2 ? (call.Arguments[0], call.Arguments[1]) : (null, null);
        if (source is null || item is null)
        {
            return null;
        }

        if (TryField(source, record, model, out RecordModel.DataField? tags) && !References(item, record))
        {
            return Condition(tags, Evaluate(item), call);
        }

        if (TryField(item, record, model, out RecordModel.DataField? field) && !References(source, record))
        {
            return new FieldConditionRequest { Key = field.StorageName, Any = Values(Evaluate(Unwrap(source)), call) };
        }

        return null;
    }

    // r.Tags.Any(), r.Tags.Any(t => t == x), r.Tags.Any(t => list.Contains(t)).
    private static FieldConditionRequest? AnyElement(MethodCallExpression any, ParameterExpression record, RecordModel model)
    {
        if (!TryField(any.Arguments[0], record, model, out RecordModel.DataField? field))
        {
            return null;
        }

        if (any.Arguments.Count == 1)
        {
            return new FieldConditionRequest { Key = field.StorageName, IsEmpty = false };
        }

        if (any.Arguments[1] is not LambdaExpression { Parameters: [ParameterExpression element] } predicate)
        {
            return null;
        }

        Expression body = predicate.Body;
        if (body is BinaryExpression { NodeType: ExpressionType.Equal } equal)
        {
            Expression? other = Unwrap(equal.Left) == element ? equal.Right : Unwrap(equal.Right) == element ? equal.Left : null;
            if (other is not null && !References(other, record) && !References(other, element))
            {
                return Condition(field, Evaluate(other), any);
            }
        }

        if (body is MethodCallExpression { Method.Name: "Contains" } contains)
        {
            (Expression? source, Expression? item) = contains.Object is not null && contains.Arguments.Count == 1
                ? (contains.Object, contains.Arguments[0])
                : contains.Arguments.Count >= 2 ? (contains.Arguments[0], contains.Arguments[1]) : (null, null);
            if (source is not null && item is not null && Unwrap(item) == element && !References(source, record) && !References(source, element))
            {
                return new FieldConditionRequest { Key = field.StorageName, Any = Values(Evaluate(Unwrap(source)), any) };
            }
        }

        return null;
    }

    private static List<JsonElement> Values(object? list, Expression node)
    {
        if (list is not System.Collections.IEnumerable values || list is string)
        {
            throw new NotSupportedException($"The filter part '{node}' tests membership in something that is not a list of values.");
        }

        var result = new List<JsonElement>();
        foreach (object? value in values)
        {
            if (value is null)
            {
                throw new NotSupportedException($"The filter part '{node}' tests membership in a list holding null; test == null separately.");
            }

            result.Add(Scalar(value, node));
        }

        return result;
    }

    // r.X == v: a scalar match, or for a list constant the server's whole-array match (same elements, same order), which
    // is what the other connectors' providers make of comparing an array property with an array.
    private static FieldConditionRequest Equality(RecordModel.DataField field, object value, Expression node)
    {
        if (value is string || value is not System.Collections.IEnumerable list)
        {
            return Condition(field, value, node);
        }

        var elements = new List<JsonElement>();
        foreach (object? element in list)
        {
            elements.Add(element is null
                ? throw new NotSupportedException($"The filter part '{node}' compares with an array holding null; EmbeddingStore arrays match strings, numbers and booleans only.")
                : Scalar(element, node));
        }

        return new FieldConditionRequest { Key = field.StorageName, Match = JsonSerializer.SerializeToElement(elements) };
    }

    private static FieldConditionRequest Condition(RecordModel.DataField field, object? value, Expression node)
    {
        if (value is null)
        {
            throw new NotSupportedException($"The filter part '{node}' looks for null inside an array; EmbeddingStore filters match strings, numbers and booleans only.");
        }

        return new FieldConditionRequest { Key = field.StorageName, Match = Scalar(value, node) };
    }

    private static JsonElement Scalar(object value, Expression node)
    {
        JsonElement scalar = JsonSerializer.SerializeToElement(value, value.GetType(), RecordModel.PayloadJson);
        if (scalar.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
        {
            throw new NotSupportedException($"The filter part '{node}' compares with a {value.GetType().Name}; EmbeddingStore filters match strings, numbers and booleans only.");
        }

        return scalar;
    }

    // A data property read off the record parameter, through any conversions (r.Count == 3 compiles to Convert(r.Count));
    // on a dynamic record, the dictionary indexer with a constant name (r["Count"]).
    private static bool TryField(Expression expression, ParameterExpression record, RecordModel model, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RecordModel.DataField? field)
    {
        field = null;
        expression = Unwrap(expression);
        string? name = expression switch
        {
            MemberExpression { Member: PropertyInfo property } member when Unwrap(member.Expression!) == record => property.Name,
            MethodCallExpression { Method.Name: "get_Item", Object: { } target, Arguments: [Expression argument] } when Unwrap(target) == record && !References(argument, record)
                => Evaluate(argument) as string,
            _ => null,
        };
        if (name is null)
        {
            return false;
        }

        field = model.DataFor(name);
        if (field is null && name == model.Key.ModelName)
        {
            throw new NotSupportedException($"Filtering on the key {name} is not supported; get the record by key instead.");
        }

        if (field is null && model.Vectors.Any(v => v.Name == name))
        {
            throw new NotSupportedException($"{name} is a vector property, so it is not in the payload and cannot be filtered on.");
        }

        if (field is null)
        {
            // A name the record does not declare is a programming error (the abstractions' contract), never a field to send.
            throw new InvalidOperationException($"Property '{name}' is not a property of {model.RecordName}, so it cannot be filtered on.");
        }

        return true;
    }

    private static Expression Unwrap(Expression expression)
    {
        while (true)
        {
            switch (expression)
            {
                case UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert:
                    expression = convert.Operand;
                    break;
                case MethodCallExpression { Method.Name: "op_Implicit", Arguments.Count: 1 } implicitCast:
                    expression = implicitCast.Arguments[0];
                    break;
                default:
                    return expression;
            }
        }
    }

    private static bool References(Expression expression, ParameterExpression record)
    {
        var finder = new ParameterFinder(record);
        finder.Visit(expression);
        return finder.Found;
    }

    // Captured variables and constants: read a closure field directly, compile anything else once.
    private static object? Evaluate(Expression expression) => expression switch
    {
        ConstantExpression constant => constant.Value,
        MemberExpression { Member: FieldInfo field, Expression: ConstantExpression closure } => field.GetValue(closure.Value),
        _ => Expression.Lambda<Func<object?>>(Expression.Convert(expression, typeof(object))).Compile()(),
    };

    private sealed class ParameterFinder(ParameterExpression record) : ExpressionVisitor
    {
        public bool Found { get; private set; }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            Found |= node == record;
            return node;
        }
    }
}
