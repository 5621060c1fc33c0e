@CSW-CON-1
Feature: A regularly updated children's content pool serves all content
  The platform keeps a dedicated content pool for children and updates it
  regularly. Everything the watch shows the child comes from that pool:
  nothing is mixed in from the open web. "Updated" is judged on what the child
  sees: each period of the profile's maximum pool age brings items the feed
  did not show before, not only a newer date.

  Background:
    Given a watch bound to its guardian

  Scenario: The pool is recently updated and the feed draws only on it
    Then the content pool was updated within the profile's maximum pool age
    And every item in the child's feed comes from the children's pool

  Scenario: The pool keeps being updated months on, with new items for the child
    When the watch runs for a quarter and the profile's maximum pool age beyond it
    Then after each of those periods the pool had been updated with new items for the child
    And the content pool was updated within the profile's maximum pool age
    And every item in the child's feed comes from the children's pool
