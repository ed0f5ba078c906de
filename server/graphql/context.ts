import type { Services } from "../app/services.js";
import type { Caller, Viewer } from "../auth/viewer.js";

export interface GraphQLContext extends Caller {
  viewer: Viewer | null;
  services: Services;
}
