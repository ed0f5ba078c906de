import type { Services } from "../app/services.js";
import type { Viewer } from "../auth/viewer.js";

export interface GraphQLContext {
  viewer: Viewer | null;
  services: Services;
}
