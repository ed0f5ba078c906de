/**
 * Rule "a project may have a unit budget; reaching it pauses its integrations" (DOMAIN.md, Sync,
 * Usage): no budget (null) is never used up; a budget is used up once the units charged reach it.
 */
export interface BudgetState {
  unitBudget: number | null;
  unitsCharged: number;
}

export const budgetUsedUp = (project: BudgetState): boolean =>
  project.unitBudget !== null && project.unitsCharged >= project.unitBudget;
