@CSW-CON-6
Feature: Content reported as harmful is taken out of the pool
  When the guardian reports an item, it leaves the pool: the child no longer
  sees it in the feed, nor finds it by searching.

  Scenario: A reported item leaves the feed and search
    Given a watch bound to its guardian
    And the child can find an item of the feed by searching for its title
    When the guardian reports that item
    Then the item is gone from the child's feed and from search

  Scenario: A reported item stays out after the pool is updated
    Given a watch bound to its guardian
    And the child can find an item of the feed by searching for its title
    When the guardian reports that item
    And the pool is next updated with new items
    Then the item is gone from the child's feed and from search
