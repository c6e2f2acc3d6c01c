/**
 * The stages of a back-end developer's workflow, in the order the course follows them.
 * Lesson folders are named `NN-<id>` (for example `lessons/03-development/`), so this list is
 * the single source for stage ids, their order and their titles.
 */
export const stages = [
  {
    id: 'requirements',
    title: 'Requirements and analysis',
    short: 'Requirements',
    blurb: 'Find out what Shelf must do and for whom: stakeholders, user stories, acceptance criteria and a specification a team can build from.',
  },
  {
    id: 'design',
    title: 'System design and architecture',
    short: 'Design',
    blurb: 'Choose a stack and an architecture, design the database and the API, and draw the pictures that keep a team aligned.',
  },
  {
    id: 'development',
    title: 'Development',
    short: 'Development',
    blurb: 'Write the business logic, talk to the database safely and build a REST API that is secure by default.',
  },
  {
    id: 'testing',
    title: 'Testing and quality',
    short: 'Testing',
    blurb: 'Prove the code works: unit, integration and end-to-end tests, test design, mutation testing and continuous integration.',
  },
  {
    id: 'deployment',
    title: 'Deployment and DevOps',
    short: 'Deployment',
    blurb: 'Package Shelf in a container, ship it through a pipeline, and watch it run with metrics, logs and traces.',
  },
  {
    id: 'maintenance',
    title: 'Maintenance and support',
    short: 'Maintenance',
    blurb: 'Keep Shelf healthy: performance, dependency updates, root-cause analysis, database care and incident response.',
  },
  {
    id: 'collaboration',
    title: 'Collaboration',
    short: 'Collaboration',
    blurb: 'Work as a team: code review, agile practice, documentation that people read, mentoring and communication.',
  },
  {
    id: 'tools',
    title: 'Tools of the trade',
    short: 'Tools',
    blurb: 'Languages, databases, version control, CI/CD, containers, clouds and monitoring, and how to choose among them.',
  },
] as const;

export type Stage = (typeof stages)[number];
export type StageId = Stage['id'];

export const stageIds = stages.map((stage) => stage.id) as [StageId, ...StageId[]];

/** The stage's position, 1-based, as used in folder names (`01-requirements`). */
export function stageNumber(id: StageId): number {
  return stageIds.indexOf(id) + 1;
}

export function stageById(id: string): Stage | undefined {
  return stages.find((stage) => stage.id === id);
}

/** `lessons/03-development/...` -> `development`; undefined when the folder is not a stage. */
export function stageFromFolder(folder: string): StageId | undefined {
  const match = /^(\d\d)-([a-z-]+)$/.exec(folder);
  if (!match) return undefined;
  const stage = stageById(match[2]!);
  return stage && stageNumber(stage.id) === Number(match[1]) ? stage.id : undefined;
}

export function stageFolder(id: StageId): string {
  return `${String(stageNumber(id)).padStart(2, '0')}-${id}`;
}
