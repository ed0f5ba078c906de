/** `/healthz` answers 200 only between "migrated and listening" and "shutting down". */
export class HealthState {
  private state: "starting" | "ready" | "stopping" = "starting";

  ready(): void {
    this.state = "ready";
  }

  stopping(): void {
    this.state = "stopping";
  }

  get isReady(): boolean {
    return this.state === "ready";
  }
}
