import { ArgsType, Field, Int } from "type-graphql";
import type { ListQuery } from "../../domain/list-query.js";
import { ListOrder } from "./enums.js";

/** The search, order and window arguments of the short lists (integrations, buckets, streams, tokens). */
@ArgsType()
export class ListArgs implements ListQuery {
  @Field(() => String, {
    nullable: true,
    description: "Case-insensitive part of the name or title.",
  })
  search?: string | null;

  @Field(() => ListOrder, {
    nullable: true,
    description: "Left out: by name (tokens: oldest first).",
  })
  orderBy?: ListOrder | null;

  @Field(() => Int, { nullable: true, description: "At most this many (1-1000)." })
  first?: number | null;

  @Field(() => Int, { nullable: true, description: "Skip this many first." })
  offset?: number | null;
}
