@CSW-SOC-1
Feature: The guardian can switch social features off entirely
  With social features switched off in the guardian's app, the watch is no
  social network at all: the child cannot post, like, ask for friends or read
  the feed, friends no longer see or reach the child, and the child cannot
  switch it back on from the watch.

  Background:
    Given a watch bound to its guardian
    And the child has posted "I drew a cat"
    And a classmate "Amy" is the child's friend
    And "Amy" has posted
    And the guardian switches social features off

  Scenario: The child cannot post
    When the child tries to post
    Then the watch refuses

  Scenario: The child cannot like a friend's post
    When the child tries to like "Amy"'s post
    Then the watch refuses

  Scenario: The child cannot read the feed
    When the child tries to read the feed
    Then the watch refuses

  Scenario: The child cannot ask for new friends
    Given a classmate "Ben" has an account on the platform
    When the child asks "Ben" to be friends nearby
    Then the watch refuses

  Scenario: Nobody can ask the child to be friends
    Given a classmate "Ben" has an account on the platform
    When "Ben" asks the child to be friends nearby
    Then the watch refuses

  Scenario: Friends no longer see or like the child's posts
    Then "Amy" no longer sees the child's posts
    When "Amy" tries to like the child's post
    Then the watch refuses

  Scenario: The child cannot switch social features back on from the watch
    When the child tries to switch social features back on
    Then the watch refuses
    When the child tries to post
    Then the watch refuses
