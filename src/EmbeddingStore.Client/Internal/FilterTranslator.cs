// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using EmbeddingStore.Contracts;

namespace EmbeddingStore.Client.Internal;

// Translates the abstraction's LINQ filter into the server's `filter.must`: a conjunction of equalities on top-level
// payload fields, where an array field matches when any element is equal. That is what the engine can evaluate while
// keeping search exact; anything else is refused with the part of the expression that could not be translated,
// rather than silently filtered on the client after the top-k was cut.
internal static class FilterTranslator
{
    public static FilterRequest? Translate(LambdaExpression filter, RecordModel model)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ParameterExpression record = filter.Parameters[0];
        var must = new List<FieldConditionRequest>();
        Visit(filter.Body, record, model, must);
        return must.Count == 0 ? null : new FilterRequest { Must = must };
    }

    private static void Visit(Expression node, ParameterExpression record, RecordModel model, List<FieldConditionRequest> must)
    {
        switch (node)
        {
            case BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.And } both when both.Type == typeof(bool):
                Visit(both.Left, record, model, must);
                Visit(both.Right, record, model, must);
                return;
            case BinaryExpression { NodeType: ExpressionType.Equal } equal:
                if (TryField(equal.Left, record, model, out RecordModel.DataField? field) && !References(equal.Right, record))
                {
                    must.Add(Condition(field, Evaluate(equal.Right), node));
                    return;
                }

                if (TryField(equal.Right, record, model, out field) && !References(equal.Left, record))
                {
                    must.Add(Condition(field, Evaluate(equal.Left), node));
                    return;
                }

                break;
            case MemberExpression when node.Type == typeof(bool) && TryField(node, record, model, out RecordModel.DataField? flag):
                must.Add(Condition(flag, true, node));
                return;
            case ConstantExpression { Value: true }:
                return;
            case MethodCallExpression { Method.Name: "Contains" } call:
                // list.Contains(x) on an instance, Enumerable.Contains(array, x), or C# 14's MemoryExtensions.Contains(span, x).
                (Expression? source, Expression? item) = call.Object is not null && call.Arguments.Count == 1
                    ? (call.Object, call.Arguments[0])
                    : call.Arguments.Count >= 2 ? (call.Arguments[0], call.Arguments[1]) : (null, null);
                if (source is not null && item is not null && TryField(source, record, model, out RecordModel.DataField? tags) && !References(item, record))
                {
                    must.Add(Condition(tags, Evaluate(item), node));
                    return;
                }

                break;
        }

        throw new NotSupportedException(
            $"The filter part '{node}' cannot be sent to EmbeddingStore: filters support ==, && and Contains on data properties " +
            "(an array field matches when any element is equal). Filter further on the results, or fetch with the SDK.");
    }

    private static FieldConditionRequest Condition(RecordModel.DataField field, object? value, Expression node)
    {
        if (value is null)
        {
            throw new NotSupportedException($"The filter part '{node}' compares with null; EmbeddingStore filters match strings, numbers and booleans only.");
        }

        JsonElement match = JsonSerializer.SerializeToElement(value, value.GetType(), RecordModel.PayloadJson);
        if (match.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
        {
            throw new NotSupportedException($"The filter part '{node}' compares with a {value.GetType().Name}; EmbeddingStore filters match strings, numbers and booleans only.");
        }

        return new FieldConditionRequest { Key = field.StorageName, Match = match };
    }

    // A data property read off the record parameter, through any conversions (r.Count == 3 compiles to Convert(r.Count)).
    private static bool TryField(Expression expression, ParameterExpression record, RecordModel model, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RecordModel.DataField? field)
    {
        field = null;
        expression = Unwrap(expression);
        if (expression is MemberExpression { Member: PropertyInfo property } member && Unwrap(member.Expression!) == record)
        {
            field = model.DataFor(property);
            if (field is null && property == model.Key)
            {
                throw new NotSupportedException($"Filtering on the key {property.Name} is not supported; get the record by key instead.");
            }

            if (field is null)
            {
                throw new NotSupportedException($"{property.Name} is not a data property, so it is not in the payload and cannot be filtered on.");
            }
        }

        return field is not null;
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
